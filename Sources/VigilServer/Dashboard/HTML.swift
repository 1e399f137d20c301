/// A piece of markup that is safe to send: interpolated strings are escaped, interpolated `HTML` is kept as is.
///
/// `HTML("<td>\(slug)</td>")` escapes `slug`; only string literals and other `HTML` values reach the page unescaped,
/// so a slug, tag or log body can never become markup.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var markup: String

    init(stringLiteral value: String) {
        markup = value
    }

    init(stringInterpolation: Interpolation) {
        markup = stringInterpolation.markup
    }

    /// Markup that is trusted as is; only for text that Vigil itself wrote (asset contents, SVG it built).
    init(trusted markup: String) {
        self.markup = markup
    }

    /// Nothing.
    static let empty = HTML(trusted: "")

    var description: String { markup }

    /// Escapes the five characters that matter in text and quoted attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        mutating func appendLiteral(_ literal: String) {
            markup += literal
        }

        mutating func appendInterpolation(_ text: String) {
            markup += HTML.escape(text)
        }

        mutating func appendInterpolation(_ text: Substring) {
            markup += HTML.escape(String(text))
        }

        mutating func appendInterpolation(_ html: HTML) {
            markup += html.markup
        }

        mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { markup += part.markup }
        }

        mutating func appendInterpolation(_ html: HTML?) {
            if let html { markup += html.markup }
        }

        mutating func appendInterpolation(_ number: Int) {
            markup += String(number)
        }
    }
}

extension Array where Element == HTML {
    /// The pieces one after another, with `separator` between them.
    func joined(separator: HTML = .empty) -> HTML {
        HTML(trusted: map(\.markup).joined(separator: separator.markup))
    }
}
