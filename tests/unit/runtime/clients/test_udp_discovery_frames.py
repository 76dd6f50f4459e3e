"""The HDHomeRun discovery frame codec and the reply we give."""

from __future__ import annotations

import struct
import zlib

import pytest
from client_fakes import DEVICE_ID

from retrovue.errors import FrameError
from retrovue.runtime.clients.udp_discovery import (
    DEVICE_TYPE_TUNER,
    TAG_BASE_URL,
    TAG_DEVICE_ID,
    TAG_DEVICE_TYPE,
    TAG_LINEUP_URL,
    TAG_TUNER_COUNT,
    TYPE_DISCOVER_REPLY,
    TYPE_DISCOVER_REQUEST,
    WILDCARD,
    decode_frame,
    discover_reply,
    encode_frame,
)

# What `hdhomerun_config discover 127.0.0.1` (Debian 20220303) sent, captured on loopback.
CAPTURED_REQUEST = bytes.fromhex("0002000c0104ffffffff0204ffffffff73cc7d8f")


def _request(device_type: int = WILDCARD, device_id: int = WILDCARD) -> bytes:
    return encode_frame(
        TYPE_DISCOVER_REQUEST,
        [
            (TAG_DEVICE_TYPE, device_type.to_bytes(4, "big")),
            (TAG_DEVICE_ID, device_id.to_bytes(4, "big")),
        ],
    )


def _reply(request: bytes, device_id: str = DEVICE_ID) -> bytes | None:
    return discover_reply(
        request, device_id=device_id, tuner_count=4, base_url="http://10.0.0.5:8420"
    )


def test_our_encoder_produces_the_bytes_libhdhomerun_sends() -> None:
    assert _request() == CAPTURED_REQUEST


def test_the_captured_request_decodes_to_a_wildcard_discover() -> None:
    frame = decode_frame(CAPTURED_REQUEST)
    assert frame.kind == TYPE_DISCOVER_REQUEST
    assert frame.value(TAG_DEVICE_TYPE) == b"\xff\xff\xff\xff"
    assert frame.value(TAG_DEVICE_ID) == b"\xff\xff\xff\xff"


def test_a_reply_carries_type_id_tuners_and_both_urls_under_a_valid_crc() -> None:
    reply = _reply(CAPTURED_REQUEST)
    assert reply is not None
    frame = decode_frame(reply)
    assert frame.kind == TYPE_DISCOVER_REPLY
    assert frame.value(TAG_DEVICE_TYPE) == DEVICE_TYPE_TUNER.to_bytes(4, "big")
    assert frame.value(TAG_DEVICE_ID) == bytes.fromhex(DEVICE_ID)
    assert frame.value(TAG_TUNER_COUNT) == b"\x04"
    assert frame.value(TAG_BASE_URL) == b"http://10.0.0.5:8420"
    assert frame.value(TAG_LINEUP_URL) == b"http://10.0.0.5:8420/lineup.json"
    assert struct.unpack("<I", reply[-4:])[0] == zlib.crc32(reply[:-4])


def test_a_request_with_a_bad_crc_is_dropped() -> None:
    damaged = CAPTURED_REQUEST[:-1] + bytes([CAPTURED_REQUEST[-1] ^ 0x01])
    assert _reply(damaged) is None
    with pytest.raises(FrameError, match="CRC"):
        decode_frame(damaged)


def test_a_request_whose_length_field_lies_is_dropped() -> None:
    assert _reply(CAPTURED_REQUEST[:-5] + CAPTURED_REQUEST[-4:]) is None


def test_a_request_for_another_device_id_gets_no_reply() -> None:
    assert _reply(_request(device_id=0x10000001)) is None
    assert _reply(_request(device_id=int(DEVICE_ID, 16))) is not None


def test_a_request_for_another_device_type_gets_no_reply() -> None:
    assert _reply(_request(device_type=0x00000005)) is None
    assert _reply(_request(device_type=DEVICE_TYPE_TUNER)) is not None


def test_a_reply_frame_is_not_answered() -> None:
    assert _reply(encode_frame(TYPE_DISCOVER_REPLY, [])) is None


def test_values_of_128_bytes_or_more_use_the_two_byte_length() -> None:
    long_url = "http://" + "a" * 200
    frame = encode_frame(TYPE_DISCOVER_REPLY, [(TAG_BASE_URL, long_url.encode())])
    assert frame[5:7] == bytes([(207 & 0x7F) | 0x80, 207 >> 7])
    assert decode_frame(frame).value(TAG_BASE_URL) == long_url.encode()


def test_unknown_tags_are_skipped_not_refused() -> None:
    frame = encode_frame(TYPE_DISCOVER_REQUEST, [(0x7E, b"xyz"), (TAG_DEVICE_ID, b"\xff" * 4)])
    assert _reply(frame) is not None
