"""Kakao i Open Builder skill responses (version 2.0) for an answer or a name not found.

An answer is three outputs at most: a ``simpleText`` saying whose neighbours these are, a
``carousel`` of ``textCard``s (one per related artist, at most 10: the lake has no artist
images, and a carousel holds one card type) and ``quickReplies`` offering the related
artists as the next question. Each card lists a few tracks and has up to three ``webLink``
buttons: the first track on Spotify, a YouTube search for "artist track" and a YouTube
search for the artist (the original bots' "more songs"). A name not found is a
``simpleText`` and "did you mean" quick replies. Every text is cut to the platform's
limits (docs/chat-skill.md lists them; tests/python/test_skill_server.py holds them as a
JSON Schema).
"""

from __future__ import annotations

from urllib.parse import quote_plus

from lookup.answer import Answer, RelatedArtist

SKILL_VERSION = "2.0"
MAX_OUTPUTS = 3
MAX_CAROUSEL_ITEMS = 10
MAX_QUICK_REPLIES = 10
MAX_TEXT = 1000  # simpleText
MAX_CARD_TITLE = 50  # textCard title
MAX_CARD_DESCRIPTION = 128  # textCard description inside a carousel
MAX_BUTTONS = 3
MAX_BUTTON_LABEL = 8  # 14 alone on a line, 8 when two sit side by side: 8 fits both
MAX_QUICK_REPLY_LABEL = 14
TRACKS_PER_CARD = 3
YOUTUBE_SEARCH = "https://www.youtube.com/results?search_query="


def shortened(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def youtube_search(*words: str) -> str:
    return YOUTUBE_SEARCH + quote_plus(" ".join(words))


def skill_response(outputs: list[dict], quick_replies: list[str] | None = None) -> dict:
    template: dict = {"outputs": outputs[:MAX_OUTPUTS]}
    replies = quick_reply_list(quick_replies or [])
    if replies:
        template["quickReplies"] = replies
    return {"version": SKILL_VERSION, "template": template}


def simple_text(text: str) -> dict:
    return {"simpleText": {"text": shortened(text, MAX_TEXT)}}


def quick_reply_list(names: list[str]) -> list[dict]:
    """A "message" quick reply per name (each sends the whole name back), no repeats."""
    unique = list(dict.fromkeys(names))[:MAX_QUICK_REPLIES]
    return [
        {"label": shortened(name, MAX_QUICK_REPLY_LABEL), "action": "message", "messageText": name}
        for name in unique
    ]


def answer_response(answer: Answer, introduction: str) -> dict:
    """The skill response for ``answer``; ``introduction`` is the simpleText above the cards."""
    related = answer.related[:MAX_CAROUSEL_ITEMS]
    if not related:
        return skill_response([simple_text(introduction + "\nNo related artists yet.")])
    carousel = {"carousel": {"type": "textCard", "items": [card(item) for item in related]}}
    return skill_response(
        [simple_text(introduction), carousel], [item.artist_name for item in related]
    )


def card(related: RelatedArtist) -> dict:
    """One related artist: rank and name, similarity and tracks, links to play them."""
    tracks = related.tracks[:TRACKS_PER_CARD]
    lines = [f"similarity {related.similarity_score:.2f}"] + [
        track.track_name + (f" ({track.release_date[:4]})" if track.release_date else "")
        for track in tracks
    ]
    buttons = []
    if tracks and tracks[0].spotify_url:
        buttons.append(web_link("Spotify", tracks[0].spotify_url))
    if tracks:
        buttons.append(
            web_link("YouTube", youtube_search(related.artist_name, tracks[0].track_name))
        )
    buttons.append(web_link("More", youtube_search(related.artist_name)))
    return {
        "title": shortened(f"{related.similarity_rank}. {related.artist_name}", MAX_CARD_TITLE),
        "description": shortened("\n".join(lines), MAX_CARD_DESCRIPTION),
        "buttons": buttons[:MAX_BUTTONS],
    }


def web_link(label: str, url: str) -> dict:
    return {"action": "webLink", "label": shortened(label, MAX_BUTTON_LABEL), "webLinkUrl": url}


def introduction(answer: Answer, typed: str) -> str:
    """Whose neighbours these are, and how the typed name was understood."""
    lines = [f"Artists who sound like {answer.artist_name}"]
    if answer.found_by == "alias":
        lines.append(f"({typed.strip()} is {answer.artist_name})")
    if answer.found_by == "on_demand":
        lines.append("(fetched from Spotify just now: not yet in the warehouse)")
    if answer.others:
        others = ", ".join(other.artist_name for other in answer.others[:5])
        lines.append(f"{len(answer.others) + 1} artists match this name; also: {others}")
    return "\n".join(lines)


def not_answered_response(message: str, suggestions: list[str]) -> dict:
    """A name that could not be answered: why, and the closest names to ask next."""
    text = message + ("\nDid you mean one of these?" if suggestions else "")
    return skill_response([simple_text(text)], suggestions)
