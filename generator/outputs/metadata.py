"""Published photos carry no metadata: a camera's or phone's EXIF can hold the GPS
position where the photographer stood, and XMP/IPTC the name of whoever edited it.

The metadata blocks are cut out of the file, which leaves every pixel as it
was (no re-encoding): JPEG's APP1 (EXIF, XMP), APP13 (IPTC) and comments;
PNG's eXIf and text chunks; WebP's EXIF and XMP chunks. The colour profile
(ICC) stays, so colours do not change.
"""
from __future__ import annotations

import struct

#: JPEG markers kept before the image data: JFIF (APP0), ICC profile (APP2), Adobe colour (APP14), and
#: everything that is not an application or comment segment (tables, frame headers).
_KEEP_APP = {0xE0, 0xE2, 0xEE}
_PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_WEBP_DROPPED = {b"EXIF", b"XMP "}


def strip_metadata(data: bytes) -> bytes:
    """The image file without its metadata; ValueError for a file that is not as expected."""
    if data[:3] == b"\xff\xd8\xff":
        return _jpeg(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    raise ValueError("not a JPEG, PNG or WebP file")


def _jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise ValueError("broken JPEG segment")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the compressed image follows, to the end
            out += data[i:]
            return bytes(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            out += data[i:i + 2]
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if (0xE0 <= marker <= 0xEF and marker not in _KEEP_APP) or marker == 0xFE:
            i += 2 + length
            continue
        out += data[i:i + 2 + length]
        i += 2 + length
    raise ValueError("a JPEG without image data")


def _png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    i = 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if end > len(data):
            raise ValueError("broken PNG chunk")
        if kind not in _PNG_DROPPED:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            break
    return bytes(out)


def _webp(data: bytes) -> bytes:
    chunks = bytearray()
    i = 12
    while i + 8 <= len(data):
        kind = data[i:i + 4]
        (length,) = struct.unpack("<I", data[i + 4:i + 8])
        end = i + 8 + length + (length & 1)
        chunk = bytearray(data[i:end])
        if kind == b"VP8X":
            chunk[8] &= ~0x0C & 0xFF  # the flags no longer promise EXIF (0x08) or XMP (0x04)
        if kind not in _WEBP_DROPPED:
            chunks += chunk
        i = end
    return b"RIFF" + struct.pack("<I", len(chunks) + 4) + b"WEBP" + bytes(chunks)
