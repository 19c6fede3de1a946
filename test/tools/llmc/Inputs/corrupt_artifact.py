"""Writes a damaged copy of an .llmc artifact, for the loader's error tests.

    corrupt_artifact.py IN OUT flip SECTION   flips one byte in the middle of SECTION
    corrupt_artifact.py IN OUT version MAJOR  rewrites the header's major version
    corrupt_artifact.py IN OUT truncate BYTES keeps the first BYTES bytes
    corrupt_artifact.py IN OUT garbage BYTES  BYTES pseudo-random bytes instead
"""

import random
import struct
import sys

HEADER = struct.Struct("<8sIIQQIIQQ")  # runtime/src/artifact/ArtifactFormat.h
ENTRY = struct.Struct("<24sQQQ")


def main():
    src, dst, mode, arg = sys.argv[1:5]
    data = bytearray(open(src, "rb").read())
    if mode == "flip":
        h = HEADER.unpack_from(data, 0)
        table, count = h[4], h[5]
        for i in range(count):
            name, offset, size, _ = ENTRY.unpack_from(data, table + i * ENTRY.size)
            if name.rstrip(b"\0").decode() == arg:
                data[offset + size // 2] ^= 0x10
                break
        else:
            sys.exit(f"no section {arg}")
    elif mode == "version":
        struct.pack_into("<I", data, 8, int(arg))
    elif mode == "truncate":
        data = data[: int(arg)]
    elif mode == "garbage":
        data = bytearray(random.Random(0).randbytes(int(arg)))
    else:
        sys.exit(f"unknown mode {mode}")
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
