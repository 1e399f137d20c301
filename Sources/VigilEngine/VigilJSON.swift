import Foundation

/// How Vigil writes and reads JSON everywhere (API, notices, CLI): snake_case keys chosen per type, dates in
/// ISO 8601 UTC with milliseconds (`2026-11-29T10:27:12.847Z`), sorted keys, unescaped slashes.
public enum VigilJSON {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Compact output, for notices and machine-to-machine bodies.
    public static let encoder = makeEncoder(pretty: false)
    /// Indented output, for API responses a person may read.
    public static let prettyEncoder = makeEncoder(pretty: true)

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? style.parse(text) ?? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        return decoder
    }()

    /// The text of one timestamp.
    public static func format(_ date: Date) -> String {
        date.formatted(style)
    }

    /// What stands for `byte` inside a JSON string as the encoders here write it (`.withoutEscapingSlashes`):
    /// `\"`, `\\`, the short escapes and `\u00XX` for the other control characters; nil when the byte stands
    /// for itself. For the hand-written writers of hot paths, which must agree with the encoders.
    public static func escape(_ byte: UInt8) -> [UInt8]? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): return [UInt8(ascii: "\\"), byte]
        case 0x08: return Array("\\b".utf8)
        case 0x09: return Array("\\t".utf8)
        case 0x0A: return Array("\\n".utf8)
        case 0x0C: return Array("\\f".utf8)
        case 0x0D: return Array("\\r".utf8)
        case 0x00..<0x20:
            let digits = Array("0123456789abcdef".utf8)
            return Array("\\u00".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
        default: return nil
        }
    }

    private static func makeEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
