"""The catalogue the fakes serve: artists, albums and tracks, with their audio features.

Every id and value is derived from a label (:func:`fake_id`, :func:`unit_value`), so a
catalogue is the same on every run. :meth:`Catalog.standard` is the tests' catalogue (a few
real artist ids and the awkward cases); :meth:`Catalog.generated` is any number of look-alike
artists (for the timing benchmark). Both fakes read the same catalogue: Spotify serves its
artists, releases and features, ReccoBeats the features of the tracks it knows.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_id(label: str) -> str:
    """A deterministic 22-character base-62 id for a catalogue object."""
    number = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    characters = []
    for _ in range(22):
        number, remainder = divmod(number, 62)
        characters.append(BASE62[remainder])
    return "".join(characters)


def unit_value(label: str) -> float:
    """A deterministic number in [0, 1) derived from a label."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big") / 2**64


@dataclass
class FakeTrack:
    id: str
    name: str
    artist_ids: list[str]
    album_id: str
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int
    features: dict[str, Any] | None  # None: Spotify answers null for this track
    known_to_reccobeats: bool = True


@dataclass
class FakeAlbum:
    id: str
    name: str
    group: str  # album, single, compilation, appears_on
    release_date: str
    artist_ids: list[str]
    track_ids: list[str] = field(default_factory=list)

    @property
    def album_type(self) -> str:
        return "compilation" if self.group == "appears_on" else self.group

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month"}.get(len(self.release_date), "day")


@dataclass
class FakeArtist:
    id: str
    name: str
    genres: list[str]
    popularity: int
    followers: int
    search_rank: int
    album_ids: list[str] = field(default_factory=list)


Release = tuple[str, str, str, "int | Sequence[str]"]


class Catalog:
    """Artists, albums and tracks, with the features Spotify and ReccoBeats know."""

    def __init__(self) -> None:
        self.artists: dict[str, FakeArtist] = {}
        self.albums: dict[str, FakeAlbum] = {}
        self.tracks: dict[str, FakeTrack] = {}

    def add_artist(
        self,
        name: str,
        artist_id: str | None = None,
        *,
        popularity: int = 50,
        followers: int = 1000,
        genres: Sequence[str] = (),
        search_rank: int = 100,
        releases: Iterable[Release] = (),
    ) -> FakeArtist:
        artist = FakeArtist(
            id=artist_id or fake_id(f"artist:{name}"),
            name=name,
            genres=list(genres),
            popularity=popularity,
            followers=followers,
            search_rank=search_rank,
        )
        self.artists[artist.id] = artist
        for group, title, release_date, tracks in releases:
            self.add_release(artist, group, title, release_date, tracks)
        return artist

    def add_release(
        self,
        artist: FakeArtist,
        group: str,
        title: str,
        release_date: str,
        tracks: int | Sequence[str],
        featured_artist_ids: Sequence[str] = (),
    ) -> FakeAlbum:
        album = FakeAlbum(
            id=fake_id(f"album:{artist.id}:{title}:{release_date}"),
            name=title,
            group=group,
            release_date=release_date,
            artist_ids=[artist.id],
        )
        names = (
            [title]
            if tracks == 1
            else (
                [f"{title} - part {number}" for number in range(1, tracks + 1)]
                if isinstance(tracks, int)
                else list(tracks)
            )
        )
        for number, track_name in enumerate(names, start=1):
            label = f"track:{album.id}:{number}"
            performer_ids = list(featured_artist_ids) if group == "appears_on" else [artist.id]
            track = FakeTrack(
                id=fake_id(label),
                name=track_name,
                artist_ids=performer_ids,
                album_id=album.id,
                track_number=number,
                duration_ms=150_000 + int(unit_value(label + "duration") * 150_000),
                explicit=unit_value(label + "explicit") < 0.2,
                isrc=f"QZ{fake_id(label)[:3].upper()}{26_000_000 + int(unit_value(label) * 1e6)}",
                popularity=int(unit_value(label + "popularity") * 100),
                features=make_features(label),
            )
            self.tracks[track.id] = track
            album.track_ids.append(track.id)
        self.albums[album.id] = album
        artist.album_ids.append(album.id)
        return album

    def artist_by_name(self, name: str) -> FakeArtist:
        return next(artist for artist in self.artists.values() if artist.name == name)

    def track_by_name(self, artist_name: str, track_name: str) -> FakeTrack:
        artist = self.artist_by_name(artist_name)
        return next(
            track
            for track in self.tracks.values()
            if track.name == track_name and artist.id in track.artist_ids
        )

    def own_tracks(self, artist_id: str) -> list[FakeTrack]:
        return [track for track in self.tracks.values() if artist_id in track.artist_ids]

    def top_tracks(self, artist_id: str) -> list[FakeTrack]:
        """The artist's ten most popular tracks, most popular first."""
        ranked = sorted(self.own_tracks(artist_id), key=lambda track: (-track.popularity, track.id))
        return ranked[:10]

    def releases(self, artist_id: str, groups: Sequence[str]) -> list[FakeAlbum]:
        """An artist's releases as Spotify lists them: by group, each newest first."""
        artist = self.artists[artist_id]
        listed = []
        for group in ("album", "single", "appears_on", "compilation"):
            if group not in groups:
                continue
            in_group = [self.albums[a] for a in artist.album_ids if self.albums[a].group == group]
            listed.extend(sorted(in_group, key=lambda album: album.release_date, reverse=True))
        return listed

    def search(self, query: str) -> list[FakeArtist]:
        """Artists whose name words start with every query word, by search rank."""
        words = query.casefold().split()
        matches = [
            artist
            for artist in self.artists.values()
            if words
            and all(
                any(name_word.startswith(word) for name_word in artist.name.casefold().split())
                for word in words
            )
        ]
        return sorted(matches, key=lambda artist: (artist.search_rank, artist.name))

    @classmethod
    def standard(cls) -> Catalog:
        """The catalogue of the tests: a few real artist ids, with the awkward cases."""
        catalog = cls()
        # "daft punk" finds the tribute band first: the exact match must win anyway.
        catalog.add_artist("Daft Punk Tribute Band", search_rank=1, popularity=20)
        daft_punk = catalog.add_artist(
            "Daft Punk",
            "4tZwfgrHOc3mvqYlEYSvVi",
            popularity=82,
            followers=9_100_000,
            genres=["electro", "filter house"],
            search_rank=2,
            releases=[
                (
                    "album",
                    "Random Access Memories",
                    "2013-05-17",
                    ["Give Life Back to Music", "Get Lucky", "Instant Crush", "Doin' it Right"],
                ),
                (
                    "album",
                    "Discovery",
                    "2001-03-12",
                    ["One More Time", "Aerodynamic", "Digital Love"],
                ),
                ("album", "Homework", "1997-01-20", 3),
                # Released before the album that also holds it: only the newest one is kept.
                ("single", "Get Lucky", "2013-04-19", 1),
                ("single", "Lose Yourself to Dance", "2013-08-01", 1),
                ("single", "Tron Legacy (End Titles)", "2010", 1),
            ],
        )
        # A track Spotify has no features for (null) and ReccoBeats does not know.
        catalog.track_by_name("Daft Punk", "Aerodynamic").features = None
        catalog.track_by_name("Daft Punk", "Aerodynamic").known_to_reccobeats = False
        catalog.add_artist("Queen Naija", search_rank=5, popularity=60)
        catalog.add_artist(
            "Queen",
            "1dfeR4HaWDbWqFHLkxsg1d",
            popularity=85,
            followers=52_000_000,
            genres=["classic rock", "glam rock"],
            search_rank=3,
            releases=[
                ("album", "A Night at the Opera", "1975-11-21", 6),
                ("album", "News of the World", "1977-10-28", 5),
                ("single", "Bohemian Rhapsody", "1975-10-31", 1),
            ],
        )
        abba = catalog.add_artist(
            "ABBA",
            "0LcJLqbBmaGUft1e9Mm8HV",
            popularity=78,
            followers=11_000_000,
            genres=["europop"],
            search_rank=4,
            releases=[("album", "Arrival", "1976-10-11", 4)]
            # Twelve singles: more than one page of ten in Development Mode.
            + [
                (
                    "single",
                    f"ABBA Single {number:02d}",
                    f"{1977 + number // 4}-{number % 12 + 1:02d}-01",
                    1,
                )
                for number in range(12)
            ],
        )
        catalog.add_release(abba, "compilation", "Gold", "1992-09-21", 5)
        # Only on ABBA's compilation/appears_on lists: never ABBA's own track.
        catalog.add_release(
            abba, "appears_on", "Eurovision Classics", "1999-05-01", 2, [daft_punk.id]
        )
        catalog.track_by_name("ABBA", "ABBA Single 11").features = None
        blackpink = catalog.add_artist(
            "BLACKPINK",
            "41MozSoPIsD1dJM0CLPjZF",
            popularity=80,
            followers=50_000_000,
            genres=["k-pop"],
            search_rank=6,
            releases=[("single", "Shut Down", "2022-09-16", 1)],
        )
        album = catalog.add_release(
            blackpink, "album", "BORN PINK", "2022-09-16", ["Pink Venom", "Shut Down", "Typa Girl"]
        )
        # A track on BLACKPINK's album performed only by someone else: not BLACKPINK's own.
        guest = catalog.add_artist("Guest Star", search_rank=50)
        solo = catalog.tracks[album.track_ids[2]]
        solo.artist_ids = [guest.id]
        catalog.add_artist(
            "Metallica",
            "2ye2Wgw4gimLv2eAKyk1NB",
            popularity=83,
            followers=27_000_000,
            genres=["metal"],
            search_rank=7,
            releases=[("album", "Master of Puppets", "1986-03-03", 8)],
        )
        return catalog

    @classmethod
    def generated(
        cls, artist_count: int, releases: int = 6, tracks_per_release: int = 4
    ) -> Catalog:
        """``artist_count`` artists named "Artist 001"... with albums and singles (timing)."""
        catalog = cls()
        for number in range(1, artist_count + 1):
            name = f"Artist {number:03d}"
            catalog.add_artist(
                name,
                search_rank=number,
                releases=[
                    (
                        "album" if index % 2 == 0 else "single",
                        f"{name} Release {index}",
                        f"{2024 - index}-06-01",
                        tracks_per_release if index % 2 == 0 else 1,
                    )
                    for index in range(releases)
                ],
            )
        return catalog


def make_features(label: str) -> dict[str, Any]:
    """The audio features Spotify knows for the track labelled ``label``."""

    def value(name: str) -> float:
        return round(unit_value(f"{label}:{name}"), 4)

    return {
        "danceability": value("danceability"),
        "energy": value("energy"),
        "key": int(value("key") * 12),
        "loudness": round(-30 + 28 * value("loudness"), 3),
        "mode": int(value("mode") < 0.6),
        "speechiness": round(value("speechiness") * 0.5, 4),
        "acousticness": value("acousticness"),
        "instrumentalness": value("instrumentalness"),
        "liveness": round(value("liveness") * 0.8, 4),
        "valence": value("valence"),
        "tempo": round(70 + 110 * value("tempo"), 3),
        "time_signature": 3 + int(value("time_signature") * 3),
    }


def deep_copy(catalog: Catalog) -> Catalog:
    """An independent copy, for a test that edits the catalogue."""
    return copy.deepcopy(catalog)
