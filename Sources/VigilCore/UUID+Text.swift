import Foundation

extension UUID {
    /// The lowercase text form used in ping URLs and the APIs, e.g. `5f1c2a3e-0000-4000-8000-000000000001`.
    ///
    /// The same as `uuidString.lowercased()`, without its two passes through Foundation's formatting, which showed
    /// up when listing thousands of monitors.
    public var lowercasedText: String {
        String(unsafeUninitializedCapacity: 36) { out in
            writeLowercasedText(into: UnsafeMutableRawBufferPointer(out))
            return 36
        }
    }

    /// The uppercase text form, the same as `uuidString`, without its passes through Foundation's formatting.
    public var uppercasedText: String {
        String(unsafeUninitializedCapacity: 36) { out in
            writeText(into: UnsafeMutableRawBufferPointer(out), digits: "0123456789ABCDEF")
            return 36
        }
    }

    /// Writes the 36 bytes of `lowercasedText` at the start of `out`, for writers that fill a buffer directly.
    public func writeLowercasedText(into out: UnsafeMutableRawBufferPointer) {
        writeText(into: out, digits: "0123456789abcdef")
    }

    private func writeText(into out: UnsafeMutableRawBufferPointer, digits: StaticString) {
        precondition(out.count >= 36, "a UUID's text takes 36 bytes")
        withUnsafeBytes(of: uuid) { bytes in
            var at = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[at] = UInt8(ascii: "-")
                    at += 1
                }
                out[at] = digits.utf8Start[Int(byte >> 4)]
                out[at + 1] = digits.utf8Start[Int(byte & 0x0F)]
                at += 2
            }
        }
    }
}
