/// The head of an HTTP/1.1 request read straight from a connection's bytes, when it is of the one shape `PingWire`
/// answers: GET, HEAD or POST, no body, the connection kept open.
///
/// The reader is strict on purpose. Anything it does not fully understand — another method or version, a body, a
/// `Connection` other than `keep-alive`, `Expect`, `Upgrade`, a control or non-ASCII byte, a bare LF, folded or
/// repeated fields — is `.other`, and NIO's HTTP/1 decoder, which knows the whole of RFC 9112, reads it instead.
struct PlainRequestHead: Equatable {
    var method: Method
    /// The request target, path and query, as sent.
    var target: String
    var userAgent: String?

    enum Method: Equatable {
        case get
        case head
        case post
    }

    enum Reading: Equatable {
        /// The head is not complete yet.
        case incomplete
        /// Not a request this reader answers, or not one it understands.
        case other
        /// A plain request whose head is the first `length` bytes.
        case plain(PlainRequestHead, length: Int)
    }

    /// Heads longer than this are left to the HTTP/1 decoder, whose own limits apply.
    static let lengthLimit = 4_096
    private static let fieldLimit = 64

    /// Reads the head at the start of `bytes`.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Reading {
        var reader = Reader(bytes: bytes)
        let first = reader.nextLine()
        guard case .line(let requestLine) = first else { return reader.unfinished(first) }
        guard let (method, target) = requestLine.split(in: bytes) else { return .other }
        var head = PlainRequestHead(method: method, target: target, userAgent: nil)
        var fields = 0
        while true {
            let next = reader.nextLine()
            guard case .line(let line) = next else { return reader.unfinished(next) }
            if line.isEmpty { return .plain(head, length: reader.position) }
            fields += 1
            guard fields <= fieldLimit, let field = Field(line, in: bytes) else { return .other }
            switch field.name {
            case .contentLength:
                guard field.value(in: bytes) == "0" else { return .other }
            case .connection:
                guard field.value(in: bytes).lowercased() == "keep-alive" else { return .other }
            case .userAgent:
                guard head.userAgent == nil else { return .other }
                head.userAgent = field.value(in: bytes)
            case .refused:
                return .other
            case .ignored:
                break
            }
        }
    }

    /// Walks the head line by line.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        enum Line {
            case line(Range<Int>)
            case incomplete
            /// A byte no plain head holds.
            case refused
        }

        /// What a head that stopped early at `line` is: complete later, or never one of ours.
        func unfinished(_ line: Line) -> Reading {
            if case .incomplete = line, bytes.count < PlainRequestHead.lengthLimit { return .incomplete }
            return .other
        }

        /// The next line, without its CRLF; a control byte, a bare CR or LF, or a byte past ASCII refuses the head.
        mutating func nextLine() -> Line {
            let start = position
            var index = start
            let end = min(bytes.count, PlainRequestHead.lengthLimit)
            while index < end {
                let byte = bytes[index]
                if byte == 13 {
                    guard index + 1 < end else { return .incomplete }
                    guard bytes[index + 1] == 10 else { break }
                    position = index + 2
                    return .line(start..<index)
                }
                guard byte >= 32 && byte < 127 || byte == 9 else { break }
                index += 1
            }
            return index < end ? .refused : .incomplete
        }
    }

    /// One header field line.
    private struct Field {
        enum Name {
            case contentLength
            case connection
            case userAgent
            /// A field that gives the request a body or another protocol, or may have been folded.
            case refused
            case ignored
        }

        var name: Name
        var value: Range<Int>

        init?(_ line: Range<Int>, in bytes: UnsafeRawBufferPointer) {
            guard let colon = line.first(where: { bytes[$0] == UInt8(ascii: ":") }), colon > line.lowerBound,
                line[..<colon].allSatisfy({ Self.isToken(bytes[$0]) })
            else { return nil }
            let name = line.lowerBound..<colon
            if Self.matches(name, "content-length", in: bytes) {
                self.name = .contentLength
            } else if Self.matches(name, "connection", in: bytes) {
                self.name = .connection
            } else if Self.matches(name, "user-agent", in: bytes) {
                self.name = .userAgent
            } else if Self.matches(name, "transfer-encoding", in: bytes) || Self.matches(name, "expect", in: bytes)
                || Self.matches(name, "upgrade", in: bytes)
            {
                self.name = .refused
            } else {
                self.name = .ignored
            }
            var lower = colon + 1
            var upper = line.upperBound
            while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
            while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
            value = lower..<upper
        }

        func value(in bytes: UnsafeRawBufferPointer) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self)
        }

        /// RFC 9110's `tchar`.
        private static func isToken(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }

        /// The name at `range` is `lowercase`, in any case.
        private static func matches(_ range: Range<Int>, _ lowercase: StaticString, in bytes: UnsafeRawBufferPointer)
            -> Bool
        {
            guard range.count == lowercase.utf8CodeUnitCount else { return false }
            let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
            for (offset, index) in range.enumerated() where bytes[index] | 0x20 != expected[offset] {
                return false
            }
            return true
        }
    }
}

extension Range<Int> {
    /// A request line's method and target, when the method is one a plain ping uses and the version is HTTP/1.1.
    fileprivate func split(in bytes: UnsafeRawBufferPointer) -> (PlainRequestHead.Method, String)? {
        guard let firstSpace = self.first(where: { bytes[$0] == 32 }),
            let secondSpace = (firstSpace + 1..<upperBound).first(where: { bytes[$0] == 32 }),
            secondSpace > firstSpace + 1,
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(secondSpace + 1)..<upperBound]), as: UTF8.self)
                == "HTTP/1.1"
        else { return nil }
        let method: PlainRequestHead.Method
        switch String(decoding: UnsafeRawBufferPointer(rebasing: bytes[lowerBound..<firstSpace]), as: UTF8.self) {
        case "GET": method = .get
        case "HEAD": method = .head
        case "POST": method = .post
        default: return nil
        }
        let target = UnsafeRawBufferPointer(rebasing: bytes[(firstSpace + 1)..<secondSpace])
        guard target.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
        return (method, String(decoding: target, as: UTF8.self))
    }
}
