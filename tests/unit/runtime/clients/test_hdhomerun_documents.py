"""The HDHomeRun HTTP documents, with the field types Jellyfin's and Plex's tuner code read."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from client_fakes import DEVICE_ID, AppClient

from retrovue.runtime.clients.hdhomerun import MODEL_NUMBER, device_uuid

UPNP = "{urn:schemas-upnp-org:device-1-0}"


def test_discover_json_has_every_field_with_the_types_clients_expect(client: AppClient) -> None:
    body = client.get("/discover.json").json()
    strings = ("FriendlyName", "Manufacturer", "ModelNumber", "FirmwareName", "FirmwareVersion")
    assert all(isinstance(body[key], str) and body[key] for key in strings)
    assert body["DeviceID"] == DEVICE_ID
    assert isinstance(body["DeviceAuth"], str)
    assert body["BaseURL"] == "http://station.test:8420"
    assert body["LineupURL"] == "http://station.test:8420/lineup.json"
    assert body["TunerCount"] == 3 and type(body["TunerCount"]) is int


def test_the_model_is_not_one_that_makes_clients_ask_for_device_transcoding() -> None:
    # Jellyfin turns on device transcoding for any model containing "hdtc"; Plex adds ?transcode=.
    assert "hdtc" not in MODEL_NUMBER.lower()


def test_lineup_lists_active_channels_with_string_numbers_and_integer_hd(
    client: AppClient,
) -> None:
    lineup = client.get("/lineup.json").json()
    assert [entry["GuideNumber"] for entry in lineup] == ["2", "3"]
    first = lineup[0]
    assert first["GuideName"] == 'Retro "Two", East'
    assert first["URL"] == "http://station.test:8420/iptv/channel/2.ts"
    assert "?" not in first["URL"]
    assert first["HD"] == 1 and type(first["HD"]) is int
    assert (first["VideoCodec"], first["AudioCodec"]) == ("H264", "AAC")


def test_lineup_status_says_no_scan_is_running(client: AppClient) -> None:
    status = client.get("/lineup_status.json").json()
    assert status["ScanInProgress"] == 0 and status["ScanPossible"] == 1


def test_lineup_post_answers_200_to_start_and_abort(client: AppClient) -> None:
    assert client.post("/lineup.post?scan=start").status_code == 200
    assert client.post("/lineup.post?scan=abort").status_code == 200
    assert client.post("/lineup.post?scan=explode").status_code == 400


def test_device_xml_describes_a_upnp_media_server_with_a_stable_udn(client: AppClient) -> None:
    response = client.get("/device.xml")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    device = root.find(f"{UPNP}device")
    assert device is not None
    assert device.findtext(f"{UPNP}deviceType") == "urn:schemas-upnp-org:device:MediaServer:1"
    assert device.findtext(f"{UPNP}UDN") == f"uuid:{device_uuid(DEVICE_ID)}"
    assert root.findtext(f"{UPNP}URLBase") == "http://station.test:8420"
    assert device_uuid(DEVICE_ID) == device_uuid(DEVICE_ID.lower())
