"""The library behind the fake Jellyfin and Emby servers: folders, shows, seasons, episodes, movies.

Records carry the wire names of Jellyfin's published `BaseItemDto` schema (Emby's is the same
family): `Id` is a 32-digit hex id, times are .NET ISO strings with seven fractional digits,
`RunTimeTicks` and `StartPositionTicks` are 100 ns ticks, a file's versions are
`MediaSources` each with its `MediaStreams`, and an announced but missing episode has
`LocationType: "Virtual"` and no file. Keys starting with `_` are the fake's own bookkeeping.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

TICKS_PER_MS: Final = 10_000
MINUTE: Final = 60_000 * TICKS_PER_MS
SERVER_ID: Final = "4b1d5a2e9c7f4e0a8d6b3c2a1f0e9d8c"
# The ItemFields enum both servers accept (an unknown name is refused, as model binding does).
ITEM_FIELDS: Final = frozenset(
    [
        "AirTime",
        "CanDelete",
        "CanDownload",
        "ChannelInfo",
        "Chapters",
        "ChildCount",
        "CumulativeRunTimeTicks",
        "CustomRating",
        "DateCreated",
        "DateLastMediaAdded",
        "DateLastRefreshed",
        "DateLastSaved",
        "DisplayPreferencesId",
        "Etag",
        "ExternalUrls",
        "ExtraIds",
        "Genres",
        "HomePageUrl",
        "ItemCounts",
        "MediaSourceCount",
        "MediaSources",
        "MediaStreams",
        "OriginalTitle",
        "Overview",
        "ParentId",
        "Path",
        "People",
        "PlayAccess",
        "PrimaryImageAspectRatio",
        "ProductionLocations",
        "ProviderIds",
        "RecursiveItemCount",
        "RefreshState",
        "RemoteTrailers",
        "ScreenshotImageTags",
        "SeasonUserData",
        "SeriesPrimaryImage",
        "SeriesStudio",
        "Settings",
        "SortName",
        "SpecialEpisodeNumbers",
        "Studios",
        "Taglines",
        "Tags",
        "Width",
        "Height",
    ]
)
HEAVY_FIELDS: Final = frozenset({"MediaSources", "Chapters", "Path", "MediaStreams"})
OPTIONAL_FIELDS: Final = {
    "Path": "Path",
    "Overview": "Overview",
    "Genres": "Genres",
    "ProviderIds": "ProviderIds",
    "Etag": "Etag",
    "ParentId": "ParentId",
    "DateCreated": "DateCreated",
    "SortName": "SortName",
    "Chapters": "Chapters",
    "MediaSources": "MediaSources",
}
BASE: Final = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def net_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def parse_time(raw: str) -> dt.datetime:
    text = raw.strip().replace("Z", "+00:00")
    head, _, rest = text.partition(".")
    if rest:  # .NET writes seven fractional digits; Python reads six
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def hex_id(*parts: object) -> str:
    return hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()


def stream(kind: str, codec: str, index: int, **extra: Any) -> dict[str, Any]:
    return {"Codec": codec, "Type": kind, "Index": index, "IsDefault": True, **extra}


def media_source(
    item_id: str,
    path: str,
    ticks: int,
    height: int = 720,
    codec: str = "h264",
    analysed: bool = True,
) -> dict[str, Any]:
    width = {480: 854, 720: 1280, 1080: 1920}.get(height, height * 16 // 9)
    streams = (
        [
            stream(
                "Video",
                codec,
                0,
                Width=width,
                Height=height,
                RealFrameRate=29.97,
                AverageFrameRate=29.97,
                BitRate=height * 5000,
                Profile="High",
            ),
            stream(
                "Audio",
                "aac",
                1,
                Channels=2,
                ChannelLayout="stereo",
                SampleRate=48000,
                Language="eng",
                BitRate=128000,
            ),
        ]
        if analysed
        else []
    )
    return {
        "Protocol": "File",
        "Id": hex_id(item_id, path),
        "Path": path,
        "Type": "Default",
        "Container": "mkv,webm" if path.endswith(".mkv") else "mov,mp4,m4a,3gp,3g2,mj2",
        "Size": ticks // 2000,
        "Name": path.rsplit("/", 1)[-1].rsplit(".", 1)[0],
        "IsRemote": False,
        "ETag": hex_id("etag", path),
        "RunTimeTicks": ticks,
        "SupportsDirectPlay": True,
        "VideoType": "VideoFile",
        "Bitrate": height * 5000 + 128000,
        "MediaStreams": streams,
    }


@dataclass
class Library:
    """Every record by id, the libraries (virtual folders), and the clock saves are stamped by."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    folders: list[dict[str, Any]] = field(default_factory=list)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _created: int = 0

    def add(self, record: dict[str, Any], parent: str | None) -> dict[str, Any]:
        self._created += 1
        record.setdefault("ServerId", SERVER_ID)
        record["_parent"] = parent
        record["_created"] = BASE + dt.timedelta(seconds=self._created)
        record["_saved"] = BASE + dt.timedelta(seconds=self._created)
        record["_version"] = 0
        record.setdefault("SortName", str(record.get("Name", "")).lower())
        self.records[record["Id"]] = record
        return record

    def folder(self, name: str, kind: str | None, location: str) -> str:
        folder_id = hex_id("folder", name)
        self.folders.append(
            {
                "Name": name,
                "Locations": [location],
                "CollectionType": kind,
                "ItemId": folder_id,
                "Id": folder_id,
                "RefreshStatus": "Idle",
            }
        )
        self.add(
            {
                "Id": folder_id,
                "Name": name,
                "Type": "CollectionFolder",
                "IsFolder": True,
                "CollectionType": kind,
            },
            None,
        )
        return folder_id

    def virtual_folders(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.folders)

    def ancestors(self, record: dict[str, Any]) -> Iterable[str]:
        parent = record["_parent"]
        while parent is not None:
            yield parent
            parent = self.records[parent]["_parent"]

    def query(
        self,
        parent: str | None,
        recursive: bool,
        types: list[str],
        ids: list[str],
        saved_since: str | None,
    ) -> list[dict[str, Any]]:
        found = (
            [self.records[i] for i in ids if i in self.records]
            if ids
            else list(self.records.values())
        )
        if parent is not None:
            found = [
                r
                for r in found
                if (parent in self.ancestors(r) if recursive else r["_parent"] == parent)
            ]
        if types:
            found = [r for r in found if r["Type"] in types]
        if saved_since:
            since = parse_time(saved_since)
            found = [r for r in found if r["_saved"] >= since]
        if ids:
            return found
        return sorted(found, key=lambda r: (r["_created"], r["SortName"], r["Id"]))

    def dto(self, record: dict[str, Any], fields: list[str], flavour: str) -> dict[str, Any]:
        """The record as the server sends it: defaults always, the rest only when asked."""
        answer = {k: v for k, v in record.items() if not k.startswith("_")}
        for name in OPTIONAL_FIELDS:
            if name not in fields:
                answer.pop(name, None)
        if "Etag" in fields:
            answer["Etag"] = hex_id(record["Id"], record["_version"])
        if "ParentId" in fields and record["_parent"]:
            answer["ParentId"] = record["_parent"]
        if "DateCreated" in fields:
            answer["DateCreated"] = net_time(record["_created"])
        answer = copy.deepcopy(answer)
        if "Chapters" in answer and flavour == "jellyfin":
            # Jellyfin's chapters are chapters only; intro and credits are not among them.
            answer["Chapters"] = [
                {k: v for k, v in c.items() if k not in ("MarkerType", "ChapterIndex")}
                for c in answer["Chapters"]
                if c.get("MarkerType") == "Chapter"
            ]
        return answer

    def touch(self, item_id: str, saved: dt.datetime | None = None, **changes: Any) -> None:
        """Change a record as the server does when it rescans it: a new Etag, saved now."""
        record = self.records[item_id]
        if "path" in changes:
            path = changes.pop("path")
            record["Path"] = path
            for source in record.get("MediaSources", ()):
                source["Path"] = path
        if "runtime_ms" in changes:
            ticks = changes.pop("runtime_ms") * TICKS_PER_MS
            record["RunTimeTicks"] = ticks
            for source in record.get("MediaSources", ()):
                source["RunTimeTicks"] = ticks
        record.update(changes)
        record["_version"] += 1
        record["_saved"] = saved or self.clock()

    def remove(self, item_id: str) -> None:
        del self.records[item_id]

    def playable(self) -> list[dict[str, Any]]:
        return [
            r
            for r in self.records.values()
            if r["Type"] in ("Movie", "Episode") and r.get("LocationType") != "Virtual"
        ]

    def named(self, name: str) -> dict[str, Any]:
        return next(r for r in self.records.values() if r.get("Name") == name)


def chapters(ticks: int) -> list[dict[str, Any]]:
    """Four acts; Emby also marks the intro and the credits among its chapters."""
    acts = [
        {
            "StartPositionTicks": n * ticks // 4,
            "Name": f"Act {n + 1}",
            "MarkerType": "Chapter",
            "ChapterIndex": n,
            "ImageDateModified": "0001-01-01T00:00:00.0000000Z",
        }
        for n in range(4)
    ]
    marks = [
        {"StartPositionTicks": MINUTE // 2, "Name": "Intro", "MarkerType": "IntroStart"},
        {"StartPositionTicks": 3 * MINUTE // 2, "Name": "Intro End", "MarkerType": "IntroEnd"},
        {"StartPositionTicks": ticks - 2 * MINUTE, "Name": "Credits", "MarkerType": "CreditsStart"},
    ]
    return acts + marks


def build(
    shows: int = 10, seasons: int = 4, episodes: int = 45, movies: int = 200, root: str = "/media"
) -> Library:
    """A TV library and a movie library (plus music, which a sync must leave alone).

    Every tenth movie has three versions (1080p HEVC, 720p H.264, 480p H.264); the fifth
    episode of each show's first season has not been analysed (no streams); each show's
    first season announces one more episode that is not on disk.
    """
    library = Library()
    tv = library.folder("Shows", "tvshows", f"{root}/TV")
    films = library.folder("Movies", "movies", f"{root}/Movies")
    library.folder("Music", "music", f"{root}/Music")
    ticks = 22 * MINUTE
    ratings = ("TV-G", "TV-PG", "TV-14")
    for s in range(shows):
        name = f"Show {s:02d}"
        series = library.add(
            {
                "Id": hex_id("series", s),
                "Name": name,
                "Type": "Series",
                "IsFolder": True,
                "Genres": ["Comedy", "Sitcom"] if s % 2 == 0 else ["Drama"],
                "OfficialRating": ratings[s % 3],
                "Overview": f"{name}: a family, a house.",
                "ProductionYear": 1980 + s,
                "ProviderIds": {"Tvdb": str(70000 + s)},
            },
            tv,
        )
        for n in range(1, seasons + 1):
            season = library.add(
                {
                    "Id": hex_id("season", s, n),
                    "Name": f"Season {n}",
                    "Type": "Season",
                    "IsFolder": True,
                    "IndexNumber": n,
                    "SeriesId": series["Id"],
                    "SeriesName": name,
                },
                series["Id"],
            )
            for e in range(1, episodes + 1):
                episode_id = hex_id("episode", s, n, e)
                path = f"{root}/TV/{name}/Season {n:02d}/{name} - S{n:02d}E{e:02d}.mkv"
                library.add(
                    {
                        "Id": episode_id,
                        "Name": f"Episode {e} of {name}",
                        "Type": "Episode",
                        "IsFolder": False,
                        "MediaType": "Video",
                        "LocationType": "FileSystem",
                        "SeriesName": name,
                        "SeriesId": series["Id"],
                        "SeasonId": season["Id"],
                        "SeasonName": season["Name"],
                        "IndexNumber": e,
                        "ParentIndexNumber": n,
                        "Overview": f"In which episode {e} happens.",
                        "RunTimeTicks": ticks,
                        "PremiereDate": net_time(
                            dt.datetime(1980 + s, 9, 1, tzinfo=dt.UTC)
                            + dt.timedelta(weeks=(n - 1) * 52 + e)
                        ),
                        "ProductionYear": 1980 + s,
                        "Path": path,
                        "Genres": [],
                        "ProviderIds": {"Tvdb": str(100000 + s * 1000 + n * 100 + e)},
                        "Chapters": chapters(ticks),
                        "MediaSources": [
                            media_source(episode_id, path, ticks, analysed=not (n == 1 and e == 5))
                        ],
                    },
                    season["Id"],
                )
            if n == 1:
                library.add(
                    {
                        "Id": hex_id("missing", s),
                        "Name": "Unaired",
                        "Type": "Episode",
                        "LocationType": "Virtual",
                        "SeriesName": name,
                        "SeriesId": series["Id"],
                        "IndexNumber": episodes + 1,
                        "ParentIndexNumber": 1,
                    },
                    season["Id"],
                )
    for m in range(movies):
        movie_id = hex_id("movie", m)
        title = f"Movie {m:03d}"
        folder = f"{root}/Movies/{title} ({1970 + m % 30})"
        length = (90 + m % 30) * MINUTE
        versions = [media_source(movie_id, f"{folder}/{title}.mkv", length)]
        if m % 10 == 0:
            versions = [
                media_source(movie_id, f"{folder}/{title} - 1080p.mkv", length, 1080, "hevc"),
                media_source(movie_id, f"{folder}/{title} - 720p.mkv", length, 720),
                media_source(movie_id, f"{folder}/{title} - 480p.mkv", length, 480),
            ]
        library.add(
            {
                "Id": movie_id,
                "Name": title,
                "Type": "Movie",
                "IsFolder": False,
                "MediaType": "Video",
                "LocationType": "FileSystem",
                "RunTimeTicks": length,
                "OfficialRating": ("G", "PG", "PG-13", "R")[m % 4],
                "ProductionYear": 1970 + m % 30,
                "PremiereDate": net_time(dt.datetime(1970 + m % 30, 6, 1, tzinfo=dt.UTC)),
                "Overview": f"{title}: things explode.",
                "Genres": ["Action", "Adventure"],
                "ProviderIds": {"Imdb": f"tt{1000000 + m}", "Tmdb": str(500 + m)},
                "Path": versions[0]["Path"],
                "Chapters": chapters(length),
                "MediaSources": versions,
            },
            films,
        )
    return library
