"""HDHomeRun HTTP emulation: the JSON and UPnP documents Plex, Jellyfin and Channels read."""

from __future__ import annotations

import uuid
from typing import Final
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from retrovue.runtime.clients.context import ClientContext

# An HDHomeRun CONNECT QUATRO: four ATSC tuners, no transcoder. Clients that see an HDTC
# model (the EXTEND, which transcodes on the device) append `?transcode=...` to stream URLs
# and Jellyfin switches on device-side transcoding; our stream URLs ignore query strings and
# always send H.264/AAC, so claiming a transcoder would promise something we do not do.
MODEL_NUMBER: Final = "HDHR5-4US"
FIRMWARE_NAME: Final = "hdhomerun5_atsc"
FIRMWARE_VERSION: Final = "20240101"
MANUFACTURER: Final = "RetroVue"
SCAN_ACTIONS: Final = frozenset({"start", "abort"})


def device_uuid(device_id: str) -> str:
    """A stable UPnP UDN for the device id (same id, same UDN, across restarts)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"retrovue:hdhomerun:{device_id.upper()}"))


def stream_url(base: str, number: int) -> str:
    """A channel's MPEG-TS URL, with no query string (clients append their own)."""
    return f"{base}/iptv/channel/{number}.ts"


def discover_document(ctx: ClientContext, base: str) -> dict[str, object]:
    config = ctx.config
    return {
        "FriendlyName": config.friendly_name,
        "Manufacturer": MANUFACTURER,
        "ModelNumber": MODEL_NUMBER,
        "FirmwareName": FIRMWARE_NAME,
        "FirmwareVersion": FIRMWARE_VERSION,
        "DeviceID": config.device_id,
        "DeviceAuth": config.device_id.lower(),
        "BaseURL": base,
        "LineupURL": f"{base}/lineup.json",
        "TunerCount": config.tuner_count,
    }


def lineup_document(ctx: ClientContext, base: str) -> list[dict[str, object]]:
    return [
        {
            "GuideNumber": str(channel.number),
            "GuideName": channel.name,
            "URL": stream_url(base, channel.number),
            "HD": 1,
            "VideoCodec": "H264",
            "AudioCodec": "AAC",
        }
        for channel in ctx.schedule.list_channels(active_only=True)
    ]


def device_xml(ctx: ClientContext, base: str) -> str:
    """The UPnP device description an SSDP LOCATION points at."""
    config = ctx.config
    fields = {
        "deviceType": "urn:schemas-upnp-org:device:MediaServer:1",
        "friendlyName": config.friendly_name,
        "manufacturer": MANUFACTURER,
        "modelName": MODEL_NUMBER,
        "modelNumber": MODEL_NUMBER,
        "serialNumber": config.device_id,
        "UDN": f"uuid:{device_uuid(config.device_id)}",
        "presentationURL": f"{base}/",
    }
    device = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        f"<URLBase>{escape(base)}</URLBase>"
        f"<device>{device}</device>"
        "</root>\n"
    )


def hdhomerun_routes(ctx: ClientContext) -> list[BaseRoute]:
    """The HDHomeRun HTTP API, mounted at the root of the station."""

    def discover(request: Request) -> Response:
        return JSONResponse(discover_document(ctx, ctx.config.request_base(request)))

    def lineup(request: Request) -> Response:
        return JSONResponse(lineup_document(ctx, ctx.config.request_base(request)))

    def lineup_status(request: Request) -> Response:
        # Our lineup is the station's own channel list: it never needs an over-the-air scan.
        return JSONResponse(
            {
                "ScanInProgress": 0,
                "ScanPossible": 1,
                "Source": "Cable",
                "SourceList": ["Cable"],
            }
        )

    def lineup_post(request: Request) -> Response:
        scan = request.query_params.get("scan")
        if scan is not None and scan not in SCAN_ACTIONS:
            return PlainTextResponse(f"unknown scan action {scan!r}", status_code=400)
        return Response(status_code=200)

    def device(request: Request) -> Response:
        body = device_xml(ctx, ctx.config.request_base(request))
        return Response(body, media_type="application/xml")

    return [
        Route("/discover.json", discover, methods=["GET"]),
        Route("/lineup.json", lineup, methods=["GET"]),
        Route("/lineup_status.json", lineup_status, methods=["GET"]),
        Route("/lineup.post", lineup_post, methods=["POST"]),
        Route("/device.xml", device, methods=["GET"]),
    ]
