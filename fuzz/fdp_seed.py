"""Writes fuzz inputs for targets that read them with libFuzzer's
FuzzedDataProvider (FDP): integers are taken from the end of the input,
bytes and strings from the front. A seed script calls the methods below in
the order the target consumes, and data() returns the input that makes the
target see those values. Mirrors FuzzedDataProvider.h (LLVM 14)."""


class Fdp:
    def __init__(self):
        self.front = bytearray()
        self.back = []  # in the order the target consumes them (from the end)

    def int_in_range(self, lo, hi, value, size):
        """ConsumeIntegralInRange<T>(lo, hi) == value, T of `size` bytes."""
        assert lo <= value <= hi, (lo, value, hi)
        span = hi - lo
        n = 0
        while n < size and (span >> (8 * n)) > 0:
            n += 1
        result = value - lo
        # The target builds result = (result << 8) | next byte from the end.
        self.back.extend((result >> (8 * (n - 1 - i))) & 0xFF for i in range(n))

    def u8(self, v): self.int_in_range(0, 0xFF, v & 0xFF, 1)
    def u16(self, v): self.int_in_range(0, 0xFFFF, v & 0xFFFF, 2)
    def u32(self, v): self.int_in_range(0, 0xFFFFFFFF, v & 0xFFFFFFFF, 4)
    def u64(self, v): self.int_in_range(0, (1 << 64) - 1, v & ((1 << 64) - 1), 8)
    # Signed T: the range is [min, max]; value - min is what is stored.
    def i8(self, v): self.int_in_range(-128, 127, v, 1)
    def i16(self, v): self.int_in_range(-(1 << 15), (1 << 15) - 1, v, 2)
    def i32(self, v): self.int_in_range(-(1 << 31), (1 << 31) - 1, v, 4)
    def i64(self, v): self.int_in_range(-(1 << 63), (1 << 63) - 1, v, 8)

    def boolean(self, v): self.u8(1 if v else 0)

    def int_range(self, lo, hi, v):
        """ConsumeIntegralInRange<int>(lo, hi): int is 4 bytes."""
        self.int_in_range(lo, hi, v, 4)

    def size_range(self, lo, hi, v):
        """ConsumeIntegralInRange<std::size_t>(lo, hi)."""
        self.int_in_range(lo, hi, v, 8)

    def float32(self):
        """ConsumeFloatingPoint<float>(): some value (a bool and a uint32)."""
        self.boolean(False)
        self.u32(0x80000000)

    def float64(self):
        self.boolean(True)
        self.u64(1 << 60)

    def raw(self, data):
        """ConsumeBytes(len(data)) (after its length was consumed)."""
        self.front += bytes(data)

    def string(self, text):
        """ConsumeRandomLengthString: backslashes doubled, "\\" + other ends it."""
        self.front += text.encode("latin-1").replace(b"\\", b"\\\\") + b"\\x"

    def data(self):
        return bytes(self.front) + bytes(reversed(self.back))


def write(directory, name, fdp):
    import os
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(fdp.data())
