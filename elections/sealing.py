"""Sealed ballots: a ballot is stored encrypted while its poll is open, with a key the database never holds.

The key of a poll is derived (HKDF-SHA256) from a secret of the server's settings, ``KS_BALLOT_KEY``, or
``SECRET_KEY`` when that is empty, and the poll's number: the database, a replica or a backup alone cannot read a
sealed ballot, and one poll's key says nothing of another's. A ballot is sealed with AES-256-GCM under a fresh random
nonce, bound to its poll (associated data), and padded to a fixed size first, so that the length of the stored row
does not tell a "yes" from an "abstain" or one name from three. Everything the published ballot will hold (the
receipt, the candidates chosen, the answer) is inside the sealed bytes; besides them the row holds its poll, a random
key and ``tag``, a keyed hash of the receipt, which lets the database refuse a receipt drawn twice in one poll
without knowing it.

The key is derived in the process and never written anywhere; ``key_check`` (a keyed hash of a constant) is stored
with the poll when it opens, so that closing can say "the ballot key has changed" rather than "the ballots are
damaged". See docs/DESIGN.md, "Threat model: secret ballots".

Only the standard library, ``cryptography`` and Django's settings: no model, no query.
"""

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x01"  # the first byte of every sealed ballot: the format and key derivation below
NONCE_BYTES = 12
TAG_BYTES = 16
#: Every ballot is padded to a multiple of this many bytes before it is sealed: any ballot of up to 20 names of
#: 19-digit candidate numbers fits in one block, so every sealed row of a poll has the same length.
PADDED_SIZE = 512
_HKDF_SALT = b"ks-landsting/secret-ballots/v1"


class BallotKeyError(Exception):
    """The ballots of a poll cannot be opened with the configured key (it changed, or a sealed row is damaged)."""


@dataclass(frozen=True)
class OpenedBallot:
    receipt: str
    choices: list[int]
    answer: str


def _secrets() -> list[bytes]:
    """The current secret first, then earlier ones that may still open ballots sealed before a change."""
    current = getattr(settings, "KS_BALLOT_KEY", "") or ""
    if current:
        earlier = list(getattr(settings, "KS_BALLOT_KEY_FALLBACKS", []) or [])
    else:
        current, earlier = settings.SECRET_KEY, list(getattr(settings, "SECRET_KEY_FALLBACKS", []) or [])
    return [secret.encode() for secret in [current, *earlier] if secret]


@lru_cache(maxsize=256)
def _poll_key(secret: bytes, poll_id: int) -> bytes:
    info = b"ballots of poll %d" % poll_id
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=info).derive(secret)


@lru_cache(maxsize=256)
def _cipher(secret: bytes, poll_id: int) -> AESGCM:
    return AESGCM(_poll_key(secret, poll_id))


def _associated_data(poll_id: int) -> bytes:
    return VERSION + b"poll:%d" % poll_id


def _current_secret() -> bytes:
    found = _secrets()
    if not found:
        raise BallotKeyError("no ballot key: set KS_BALLOT_KEY or SECRET_KEY")
    return found[0]


def key_check(poll_id: int) -> str:
    """What the poll stores when it opens, to recognise its key at the close (16 hex digits; not the key)."""
    key = _poll_key(_current_secret(), poll_id)
    return hmac.new(key, b"key check", hashlib.sha256).hexdigest()[:16]


def receipt_tag(poll_id: int, receipt: str) -> bytes:
    """The keyed hash of a receipt: equal for a receipt drawn twice in one poll, unreadable without the key."""
    key = _poll_key(_current_secret(), poll_id)
    return hmac.new(key, b"receipt:" + receipt.encode(), hashlib.sha256).digest()[:TAG_BYTES]


def seal(poll_id: int, *, receipt: str, choices: list[int], answer: str) -> bytes:
    """The ballot encrypted for its poll: version, nonce, ciphertext and GCM tag, always the same length."""
    text = json.dumps({"r": receipt, "c": choices, "a": answer}, separators=(",", ":")).encode()
    padded = text + b" " * (-len(text) % PADDED_SIZE)  # JSON ignores the trailing spaces
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + _cipher(_current_secret(), poll_id).encrypt(nonce, padded, _associated_data(poll_id))


def _open_with(cipher: AESGCM, poll_id: int, sealed: bytes) -> OpenedBallot:
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    content = json.loads(cipher.decrypt(nonce, body, _associated_data(poll_id)))
    return OpenedBallot(receipt=content["r"], choices=list(content["c"]), answer=content["a"])


def unseal_all(poll_id: int, sealed_ballots: list[bytes], *, stored_check: str) -> list[OpenedBallot]:
    """Every sealed ballot of a poll, opened. Raises BallotKeyError, with the reason in plain words, when the key
    that sealed them is not configured any more or a ballot has been altered: never a wrong count."""
    secrets_ = _secrets()
    if stored_check:
        matching = [
            secret
            for secret in secrets_
            if hmac.compare_digest(
                hmac.new(_poll_key(secret, poll_id), b"key check", hashlib.sha256).hexdigest()[:16], stored_check
            )
        ]
        if not matching:
            raise BallotKeyError("key changed")
        secrets_ = matching + [secret for secret in secrets_ if secret not in matching]
    ciphers = [_cipher(secret, poll_id) for secret in secrets_]
    opened = []
    for sealed in sealed_ballots:
        sealed = bytes(sealed)
        if sealed[:1] != VERSION:
            raise BallotKeyError("damaged")
        for cipher in ciphers:
            try:
                opened.append(_open_with(cipher, poll_id, sealed))
                break
            except (InvalidTag, ValueError):
                continue
        else:
            raise BallotKeyError("damaged")
    return opened
