"""Sets of small non-negative ints (ranks) held as the bits of one int: the canvas
index's unions and intersections are then single bitwise operations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def single_bits(mask: int) -> Iterator[int]:
    """Each set bit of ``mask`` on its own."""
    while mask:
        low = mask & -mask
        yield low
        mask ^= low


def bits_of(ranks: Iterable[int]) -> int:
    """The int whose set bits are ``ranks`` (built in a bytearray: linear, where or-ing
    one bit at a time into an int copies it each time)."""
    ranks = list(ranks)
    buffer = bytearray(max(ranks, default=0) // 8 + 1)
    for rank in ranks:
        buffer[rank >> 3] |= 1 << (rank & 7)
    return int.from_bytes(buffer, "little")


def set_bits(value: int) -> Iterator[int]:
    """The positions of the set bits of a non-negative int, ascending (one pass over its
    binary digits in C, then one step per set bit)."""
    digits = bin(value)[:1:-1]  # least significant first, without "0b"
    position = digits.find("1")
    while position >= 0:
        yield position
        position = digits.find("1", position + 1)
