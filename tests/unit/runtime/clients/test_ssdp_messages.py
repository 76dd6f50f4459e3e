"""SSDP search parsing and the answers the responder gives."""

from __future__ import annotations

from retrovue.runtime.clients.ssdp import (
    MEDIA_SERVER,
    ROOT_DEVICE,
    parse_msearch,
    search_response,
    search_targets,
)


def _msearch(target: str, man: str = '"ssdp:discover"') -> bytes:
    return (
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
        f"MAN: {man}\r\nMX: 1\r\nST: {target}\r\n\r\n"
    ).encode()


def test_an_msearch_is_parsed_with_upper_case_header_names() -> None:
    headers = parse_msearch(_msearch(MEDIA_SERVER))
    assert headers is not None
    assert headers["ST"] == MEDIA_SERVER


def test_notify_messages_and_wrong_man_headers_are_ignored() -> None:
    assert parse_msearch(b"NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n") is None
    assert parse_msearch(_msearch(ROOT_DEVICE, man='"ssdp:other"')) is None
    assert parse_msearch(b"\xff\xfe") is None


def test_ssdp_all_is_answered_once_per_type_we_are() -> None:
    assert search_targets("ssdp:all", "u-1") == [ROOT_DEVICE, "uuid:u-1", MEDIA_SERVER]


def test_a_search_for_a_type_we_are_not_gets_nothing() -> None:
    assert search_targets("urn:schemas-upnp-org:device:MediaRenderer:1", "u-1") == []
    assert search_targets(MEDIA_SERVER, "u-1") == [MEDIA_SERVER]


def test_the_response_names_the_location_and_a_unique_service_name() -> None:
    text = search_response(ROOT_DEVICE, "u-1", "http://10.0.0.5:8420/device.xml").decode()
    assert text.startswith("HTTP/1.1 200 OK\r\n")
    assert "LOCATION: http://10.0.0.5:8420/device.xml\r\n" in text
    assert "USN: uuid:u-1::upnp:rootdevice\r\n" in text
    assert "ST: upnp:rootdevice\r\n" in text
    assert text.endswith("\r\n\r\n")
