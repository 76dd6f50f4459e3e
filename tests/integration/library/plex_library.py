"""The library behind the fake Plex server, and the XML Plex answers about it.

Element and attribute names follow Plex Media Server's XML as its published API reference
and python-plexapi's model classes read it: a `MediaContainer` (with `size`, and `totalSize`
and `offset` when paged) of `Directory` (libraries, shows) or `Video` elements; a Video's
versions are `Media` elements (`bitrate` in kbit/s, durations in ms), each with one `Part`
per file (`file` is Plex's own path); an item's own metadata adds `Genre`, `Guid`
(`imdb://...`), `Chapter` (`startTimeOffset`/`endTimeOffset`, `tag` = title) and `Marker`
(`type` intro|credits) children.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Final

XML_HEAD: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass
class Part:
    id: int
    file: str
    size: int
    duration: int


@dataclass
class Media:
    id: int
    parts: list[Part]
    width: int = 96
    height: int = 72
    video_codec: str = "h264"
    audio_codec: str = "aac"
    bitrate: int = 193
    container: str = "mkv"

    def element(self) -> ET.Element:
        media = ET.Element(
            "Media",
            {
                "id": str(self.id),
                "duration": str(sum(p.duration for p in self.parts)),
                "bitrate": str(self.bitrate),
                "width": str(self.width),
                "height": str(self.height),
                "aspectRatio": "1.33",
                "audioChannels": "2",
                "audioCodec": self.audio_codec,
                "videoCodec": self.video_codec,
                "container": self.container,
                "videoResolution": str(self.height) if self.height >= 480 else "sd",
            },
        )
        for part in self.parts:
            ET.SubElement(
                media,
                "Part",
                {
                    "id": str(part.id),
                    "key": f"/library/parts/{part.id}/1700000000/file.mkv",
                    "duration": str(part.duration),
                    "file": part.file,
                    "size": str(part.size),
                    "container": self.container,
                },
            )
        return media


@dataclass
class Video:
    rating_key: str
    section: str
    kind: str  # movie | episode
    title: str
    updated_at: int
    media: list[Media]
    attrs: dict[str, str] = field(default_factory=dict)
    genres: list[str] = field(default_factory=list)
    chapters: list[tuple[int, int, str]] = field(default_factory=list)
    markers: list[tuple[str, int, int]] = field(default_factory=list)
    guids: list[str] = field(default_factory=list)

    def element(self, detailed: bool) -> ET.Element:
        video = ET.Element(
            "Video",
            {
                "ratingKey": self.rating_key,
                "key": f"/library/metadata/{self.rating_key}",
                "type": self.kind,
                "title": self.title,
                "updatedAt": str(self.updated_at),
                "addedAt": "1690000000",
                **self.attrs,
            },
        )
        video.extend(m.element() for m in self.media)
        for genre in self.genres:
            ET.SubElement(video, "Genre", {"tag": genre})
        if detailed:
            for guid in self.guids:
                ET.SubElement(video, "Guid", {"id": guid})
            for n, (start, end, tag) in enumerate(self.chapters, 1):
                ET.SubElement(
                    video,
                    "Chapter",
                    {
                        "index": str(n),
                        "startTimeOffset": str(start),
                        "endTimeOffset": str(end),
                        "tag": tag,
                    },
                )
            for kind, start, end in self.markers:
                ET.SubElement(
                    video,
                    "Marker",
                    {
                        "type": kind,
                        "startTimeOffset": str(start),
                        "endTimeOffset": str(end),
                        "final": "1",
                    },
                )
        return video


@dataclass
class Show:
    rating_key: str
    section: str
    title: str
    content_rating: str
    genres: list[str]

    def element(self) -> ET.Element:
        show = ET.Element(
            "Directory",
            {
                "ratingKey": self.rating_key,
                "key": f"/library/metadata/{self.rating_key}/children",
                "type": "show",
                "title": self.title,
                "contentRating": self.content_rating,
            },
        )
        for genre in self.genres:
            ET.SubElement(show, "Genre", {"tag": genre})
        return show


@dataclass
class PlexLibrary:
    sections: list[tuple[str, str, str]]  # key, type, title
    shows: dict[str, Show] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)

    def sections_xml(self) -> bytes:
        root = ET.Element("MediaContainer", {"size": str(len(self.sections))})
        for key, kind, title in self.sections:
            directory = ET.SubElement(root, "Directory", {"key": key, "type": kind, "title": title})
            ET.SubElement(directory, "Location", {"id": key, "path": f"/data/media/{title}"})
        return _xml(root)

    def listing(self, section: str, kind: str, start: int, size: int | None) -> bytes:
        """`/library/sections/{key}/all?type=...`: shows (2), episodes (4) or movies (1)."""
        found: list[Show | Video]
        if kind == "2":
            found = [s for s in self.shows.values() if s.section == section]
        else:
            wanted = {"1": "movie", "4": "episode"}.get(kind, "")
            found = [v for v in self.videos.values() if v.section == section and v.kind == wanted]
        page = found[start : start + size] if size is not None else found[start:]
        root = ET.Element(
            "MediaContainer",
            {
                "size": str(len(page)),
                "totalSize": str(len(found)),
                "offset": str(start),
            },
        )
        root.extend(v.element(False) if isinstance(v, Video) else v.element() for v in page)
        return _xml(root)

    def metadata(self, keys: list[str]) -> bytes:
        """`/library/metadata/{a,b,c}`: each item's own metadata, shows as Directory."""
        root = ET.Element("MediaContainer")
        for key in keys:
            if key in self.videos:
                root.append(self.videos[key].element(True))
            elif key in self.shows:
                root.append(self.shows[key].element())
        root.set("size", str(len(root)))
        return _xml(root)


def _xml(root: ET.Element) -> bytes:
    return XML_HEAD + ET.tostring(root, encoding="utf-8")


def sample() -> PlexLibrary:
    """A movie library (one film) and a TV library (one show, two episodes), plus music."""
    library = PlexLibrary(
        [("1", "movie", "Movies"), ("2", "show", "TV Shows"), ("3", "artist", "Music")]
    )
    library.shows["100"] = Show("100", "2", "The Show", "TV-PG", ["Comedy"])
    episode = {
        "grandparentTitle": "The Show",
        "grandparentRatingKey": "100",
        "parentIndex": "1",
        "contentRating": "TV-PG",
        "year": "1986",
    }
    tv = "/data/media/TV/The Show/Season 01"
    library.videos["102"] = Video(
        "102",
        "2",
        "episode",
        "The Pilot",
        1700000100,
        [Media(10, [Part(10, f"{tv}/The Show - S01E01.mkv", 70000, 3041)])],
        {
            **episode,
            "index": "1",
            "summary": "Everyone moves in.",
            "originallyAvailableAt": "1986-09-01",
            "duration": "3041",
        },
        genres=["Comedy"],
        chapters=[(0, 1000, "Cold open"), (1000, 3041, "Act 1")],
        markers=[("intro", 0, 800), ("credits", 2600, 3041)],
        guids=["tvdb://5000101"],
    )
    library.videos["103"] = Video(
        "103",
        "2",
        "episode",
        "Second Night",
        1700000100,
        [Media(11, [Part(11, f"{tv}/The Show - S01E02.mkv", 50000, 2000)])],
        {
            **episode,
            "index": "2",
            "summary": "The neighbours visit.",
            "originallyAvailableAt": "1986-09-08",
            "duration": "2000",
        },
        genres=["Comedy"],
    )
    library.videos["200"] = Video(
        "200",
        "1",
        "movie",
        "Big Movie",
        1700000200,
        [
            Media(
                20,
                [Part(20, "/data/media/Movies/Big Movie (1986)/Big Movie (1986).mkv", 70000, 3041)],
            )
        ],
        {
            "contentRating": "PG-13",
            "summary": "Things explode.",
            "year": "1986",
            "originallyAvailableAt": "1986-06-13",
            "duration": "3041",
        },
        genres=["Action", "Adventure"],
        chapters=[(0, 1000, "Opening"), (1000, 3041, "Main")],
        guids=["imdb://tt0088512", "tmdb://9340"],
    )
    return library
