import Foundation
import NIOCore
import VigilCore
import VigilEngine

/// Writes JSON bytes exactly as `VigilJSON.prettyEncoder` would — two-space indentation, `"key" : value`, unescaped
/// slashes, ISO 8601 dates in UTC with milliseconds — for the large lists that Foundation's encoder made slow.
///
/// Values go through a `Cursor` straight into the buffer's memory, a bounded piece at a time: one capacity check per
/// piece instead of one per byte. The caller writes an object's keys in sorted order, as `.sortedKeys` would.
struct JSONWriter {
    /// The JSON written so far.
    private(set) var buffer: ByteBuffer
    private var layout = Layout()

    /// A writer whose buffer first holds `capacity` bytes (default 256), so that a list of known size grows once.
    init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// The JSON written so far, as an array.
    var bytes: [UInt8] { Array(buffer.readableBytesView) }

    /// The most a string can take: every byte escaped as `\u00XX`, and its quotes.
    static func room(for text: String) -> Int { 6 * text.utf8.count + 2 }

    /// The most any other value or key takes, with the line break and indentation before it (to depth 16).
    static let roomPerValue = 80

    /// Lets `body` write at most `bound` bytes; more stops the process rather than write past the buffer.
    mutating func write(atMost bound: Int, _ body: (inout Cursor) -> Void) {
        var layout = self.layout
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { memory in
            var cursor = Cursor(memory: UnsafeMutableRawBufferPointer(rebasing: memory[0..<bound]), layout: layout)
            body(&cursor)
            layout = cursor.layout
            return cursor.count
        }
        self.layout = layout
    }

    /// Where the writer stands in the nesting of arrays and objects.
    struct Layout {
        /// Open arrays and objects.
        var depth = 0
        /// Bit `n`: the array or object at depth `n + 1` has an element yet.
        var hasElements: UInt64 = 0
        /// A key was just written, so the next value follows it on the same line.
        var afterKey = false
    }

    /// Writes into a bounded piece of the buffer's memory.
    struct Cursor {
        private let memory: UnsafeMutableRawBufferPointer
        fileprivate var layout: Layout
        /// Bytes written so far.
        private(set) var count = 0

        fileprivate init(memory: UnsafeMutableRawBufferPointer, layout: Layout) {
            self.memory = memory
            self.layout = layout
        }

        // MARK: Structure

        mutating func beginArray() { open(UInt8(ascii: "[")) }

        mutating func endArray() { close(UInt8(ascii: "]")) }

        mutating func beginObject() { open(UInt8(ascii: "{")) }

        mutating func endObject() { close(UInt8(ascii: "}")) }

        /// An object's key; `name` needs no escaping (plain ASCII letters, digits and `_`).
        mutating func key(_ name: StaticString) {
            beginValue()
            put(UInt8(ascii: "\""))
            put(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            reserve(4)
            memory[count] = UInt8(ascii: "\"")
            memory[count + 1] = UInt8(ascii: " ")
            memory[count + 2] = UInt8(ascii: ":")
            memory[count + 3] = UInt8(ascii: " ")
            count += 4
            layout.afterKey = true
        }

        // MARK: Values

        mutating func null() {
            beginValue()
            put(ascii: "null")
        }

        mutating func bool(_ value: Bool) {
            beginValue()
            put(ascii: value ? "true" : "false")
        }

        mutating func string(_ value: String?) {
            guard var value else { return null() }
            beginValue()
            value.withUTF8 { putQuoted($0) }
        }

        /// A UUID in lowercase, as Vigil's API shows ids and keys.
        mutating func uuid(_ value: UUID?) {
            guard let value else { return null() }
            beginValue()
            reserve(38)
            memory[count] = UInt8(ascii: "\"")
            value.writeLowercasedText(into: UnsafeMutableRawBufferPointer(rebasing: memory[(count + 1)...]))
            let position = count + 37
            memory[position] = UInt8(ascii: "\"")
            count = position + 1
        }

        /// A time as `VigilJSON.format` writes it, e.g. `"2026-11-29T10:27:12.847Z"`.
        mutating func date(_ value: Date?) {
            guard let value else { return null() }
            beginValue()
            guard let fields = JSONWriter.timestampFields(value) else {
                var text = "\"" + VigilJSON.format(value) + "\""
                text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
                return
            }
            reserve(26)
            let at = count
            memory[at] = UInt8(ascii: "\"")
            putTwoDigits(fields.year / 100, at: at + 1)
            putTwoDigits(fields.year % 100, at: at + 3)
            memory[at + 5] = UInt8(ascii: "-")
            putTwoDigits(fields.month, at: at + 6)
            memory[at + 8] = UInt8(ascii: "-")
            putTwoDigits(fields.day, at: at + 9)
            memory[at + 11] = UInt8(ascii: "T")
            putTwoDigits(fields.secondOfDay / 3600, at: at + 12)
            memory[at + 14] = UInt8(ascii: ":")
            putTwoDigits(fields.secondOfDay % 3600 / 60, at: at + 15)
            memory[at + 17] = UInt8(ascii: ":")
            putTwoDigits(fields.secondOfDay % 60, at: at + 18)
            memory[at + 20] = UInt8(ascii: ".")
            memory[at + 21] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fields.milliseconds / 100)
            putTwoDigits(fields.milliseconds % 100, at: at + 22)
            memory[at + 24] = UInt8(ascii: "Z")
            memory[at + 25] = UInt8(ascii: "\"")
            count = at + 26
        }

        // MARK: Layout

        private mutating func open(_ bracket: UInt8) {
            beginValue()
            put(bracket)
            precondition(layout.depth < 64, "JSONWriter nests at most 64 arrays and objects")
            layout.depth += 1
            layout.hasElements &= ~(1 << UInt64(layout.depth - 1))
        }

        private mutating func close(_ bracket: UInt8) {
            let hadElements = layout.hasElements & (1 << UInt64(layout.depth - 1)) != 0
            layout.depth -= 1
            // Foundation leaves an empty line inside an empty array or object: `[\n\n]`.
            if !hadElements { put(UInt8(ascii: "\n")) }
            newline()
            put(bracket)
        }

        /// Separates a value from the one before it and puts it on its own line, unless it follows its key.
        private mutating func beginValue() {
            if layout.afterKey {
                layout.afterKey = false
                return
            }
            guard layout.depth > 0 else { return }
            let bit: UInt64 = 1 << UInt64(layout.depth - 1)
            if layout.hasElements & bit != 0 { put(UInt8(ascii: ",")) } else { layout.hasElements |= bit }
            newline()
        }

        private mutating func newline() {
            let spaces = 2 * layout.depth
            reserve(1 + spaces)
            memory[count] = UInt8(ascii: "\n")
            (memory.baseAddress! + count + 1)
                .initializeMemory(as: UInt8.self, repeating: UInt8(ascii: " "), count: spaces)
            count += 1 + spaces
        }

        // MARK: Bytes

        private func reserve(_ bytes: Int) {
            precondition(count + bytes <= memory.count, "JSONWriter was given too little room")
        }

        private mutating func put(_ byte: UInt8) {
            reserve(1)
            memory[count] = byte
            count += 1
        }

        private mutating func put(_ bytes: UnsafeRawBufferPointer) {
            guard !bytes.isEmpty else { return }
            reserve(bytes.count)
            (memory.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            count += bytes.count
        }

        private mutating func put(ascii text: StaticString) {
            put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        private func putTwoDigits(_ value: Int, at offset: Int) {
            memory[offset] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
            memory[offset + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
        }

        /// Appends `utf8` between quotes, escaped as Foundation's encoder escapes it: `"`, `\` and control
        /// characters; everything else, slashes and non-ASCII included, as it is.
        private mutating func putQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
            put(UInt8(ascii: "\""))
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                put(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start..<index])))
                putEscape(byte)
                start = index + 1
            }
            put(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start...])))
            put(UInt8(ascii: "\""))
        }

        private mutating func putEscape(_ byte: UInt8) {
            guard let escaped = VigilJSON.escape(byte) else { return put(byte) }
            escaped.withUnsafeBytes { put($0) }
        }
    }

    // MARK: - Times

    /// The fields of `date` in UTC when writing them is sure to give what Foundation gives; nil otherwise.
    ///
    /// Foundation's style truncates the exact fraction of the second to milliseconds. A fraction within a
    /// nanosecond of a whole millisecond, a year outside 2001–9999, or a Foundation that rounds instead (newer ones
    /// do) goes to `VigilJSON.format`, so the two never disagree.
    fileprivate static func timestampFields(_ date: Date)
        -> (year: Int, month: Int, day: Int, secondOfDay: Int, milliseconds: Int)?
    {
        let interval = date.timeIntervalSinceReferenceDate
        // 0 is 2001-01-01, 252 423 993 600 is 9999-12-31T23:59:59Z plus a second.
        guard foundationTruncates, interval >= 0, interval < 252_423_993_600 else { return nil }
        let whole = interval.rounded(.down)
        // Exact: both are doubles below 2^53 and the fraction needs no more bits than the interval has.
        let fraction = interval - whole
        var milliseconds = 0
        if fraction != 0 {
            let scaled = fraction * 1000
            let floor = scaled.rounded(.down)
            // Too close to a whole millisecond to be sure which side Foundation's arithmetic lands on.
            guard scaled - floor > 1e-6, floor + 1 - scaled > 1e-6 else { return nil }
            milliseconds = Int(floor)
        }
        let seconds = Int(whole)
        let (year, month, day) = civilDate(daysSince2001: seconds / 86_400)
        return (year, month, day, seconds % 86_400, milliseconds)
    }

    /// The proleptic Gregorian date of a day counted from 2001-01-01 (day 0, not negative).
    private static func civilDate(daysSince2001 days: Int) -> (year: Int, month: Int, day: Int) {
        // Days from 0000-03-01, so that a leap day ends its year; then 400-year eras of 146 097 days.
        let shifted = days + 730_791
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Whether this Foundation truncates to milliseconds: 0.6 ms past a second shows `.000` then, `.001` if it rounds.
    private static let foundationTruncates = VigilJSON.format(Date(timeIntervalSinceReferenceDate: 0.0006))
        .hasSuffix(".000Z")

}
