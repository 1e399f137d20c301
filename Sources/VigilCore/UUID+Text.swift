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

    /// A UUID from its 8-4-4-4-12 hex text, either case; nil when it is not one. Reads what `UUID(uuidString:)`
    /// reads, which on Linux goes through sscanf: that was the largest single cost of loading a million monitors,
    /// and showed in every ping's path.
    public init?(text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { UUID.parse(utf8: $0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { UUID.parse(utf8: $0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// A UUID from the bytes of its text; nil when they are not one.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { out -> Bool in
            var input = 0
            for index in 0..<16 {
                if input == 8 || input == 13 || input == 18 || input == 23 {
                    guard bytes[input] == UInt8(ascii: "-") else { return false }
                    input += 1
                }
                guard let high = hexDigit(bytes[input]), let low = hexDigit(bytes[input + 1]) else { return false }
                out[index] = high << 4 | low
                input += 2
            }
            return true
        }
        return parsed ? UUID(uuid: value) : nil
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
