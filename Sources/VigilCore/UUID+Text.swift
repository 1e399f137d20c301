import Foundation

extension UUID {
    /// The lowercase text form used in ping URLs and the APIs, e.g. `5f1c2a3e-0000-4000-8000-000000000001`.
    ///
    /// The same as `uuidString.lowercased()`, without its two passes through Foundation's formatting, which showed
    /// up when listing thousands of monitors.
    public var lowercasedText: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    out[at] = digits[Int(byte >> 4)]
                    out[at + 1] = digits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }
}
