import Foundation
import VigilCore

/// The intake log's form of a `ChangeBatch`: little-endian binary, every value in full, so that a step read back is
/// equal to the step written. Dates keep their exact `Double`; strings are UTF-8 with a varint length.
enum IntakeCodec {
    static func encode(_ batch: ChangeBatch, into out: inout [UInt8]) {
        var writer = Writer(bytes: out)
        out = []
        writer.uuid(batch.monitorID)
        writer.state(batch.state)
        writer.optional(batch.signal) { writer, signal in
            writer.string(signal.kind.rawValue)
            writer.date(signal.at)
            writer.optional(signal.value) { $0.double($1) }
            writer.optional(signal.runID) { $0.uuid($1) }
            writer.optional(signal.body) { $0.string($1) }
            writer.optional(signal.source) { $0.string($1) }
        }
        writer.optional(batch.verdict) { writer, verdict in
            writer.bool(verdict.isProgress)
            writer.optional(verdict.runDuration) { $0.double($1) }
        }
        writer.varint(UInt64(batch.effects.count))
        for effect in batch.effects {
            switch effect {
            case .changed(let change):
                writer.byte(0)
                writer.uuid(change.monitorID)
                writer.string(change.from.rawValue)
                writer.string(change.to.rawValue)
                writer.date(change.at)
                writer.date(change.noticedAt)
                writer.optional(change.incidentID) { $0.uuid($1) }
                writer.string(change.reason)
            case .opened(let incident):
                writer.byte(1)
                writer.incident(incident)
            case .resolved(let incident):
                writer.byte(2)
                writer.incident(incident)
            }
        }
        writer.varint(UInt64(batch.notices.count))
        for notice in batch.notices {
            writer.optional(notice.id) { $0.int64($1) }
            writer.string(notice.idempotencyKey)
            writer.string(notice.channel)
            writer.string(notice.target)
            writer.varint(UInt64(notice.payload.count))
            writer.bytes.append(contentsOf: notice.payload)
            writer.date(notice.createdAt)
            writer.int64(Int64(notice.attempts))
            writer.date(notice.nextAttemptAt)
        }
        writer.bool(batch.statusOnly)
        out = writer.bytes
    }

    /// Reads one step from `bytes` at `offset`, moving `offset` past it.
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(IntakeCodecError) -> ChangeBatch {
        var reader = Reader(bytes: bytes, offset: offset)
        let monitorID = try reader.uuid()
        let state = try reader.state()
        let signal = try reader.optional { (reader: inout Reader) throws(IntakeCodecError) in
            Signal(
                kind: SignalKind(rawValue: try reader.string()), at: try reader.date(),
                value: try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.double() },
                runID: try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.uuid() },
                body: try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.string() },
                source: try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.string() }
            )
        }
        let verdict = try reader.optional { (reader: inout Reader) throws(IntakeCodecError) in
            SignalVerdict(
                isProgress: try reader.bool(),
                runDuration: try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.double() }
            )
        }
        var effects: [Effect] = []
        for _ in 0..<(try reader.count()) {
            switch try reader.byte() {
            case 0:
                effects.append(.changed(StateChange(
                    monitorID: try reader.uuid(), from: try reader.status(), to: try reader.status(),
                    at: try reader.date(), noticedAt: try reader.date(),
                    incidentID: try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.uuid() },
                    reason: try reader.string()
                )))
            case 1: effects.append(.opened(try reader.incident()))
            case 2: effects.append(.resolved(try reader.incident()))
            case let tag: throw IntakeCodecError("unknown effect \(tag)")
            }
        }
        var notices: [Notice] = []
        for _ in 0..<(try reader.count()) {
            let id = try reader.optional { (r: inout Reader) throws(IntakeCodecError) in try r.int64() }
            let key = try reader.string(), channel = try reader.string(), target = try reader.string()
            let payload = Data(try reader.raw(try reader.count()))
            notices.append(Notice(
                id: id, idempotencyKey: key, channel: channel, target: target, payload: payload,
                createdAt: try reader.date(), attempts: Int(try reader.int64()), nextAttemptAt: try reader.date()
            ))
        }
        let statusOnly = try reader.bool()
        offset = reader.offset
        return ChangeBatch(
            monitorID: monitorID, state: state, signal: signal, verdict: verdict, effects: effects, notices: notices,
            statusOnly: statusOnly
        )
    }

    private struct Writer {
        var bytes: [UInt8]

        mutating func byte(_ value: UInt8) { bytes.append(value) }

        mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

        mutating func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        mutating func int64(_ value: Int64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func double(_ value: Double) { int64(Int64(bitPattern: value.bitPattern)) }

        mutating func date(_ value: Date) { double(value.timeIntervalSinceReferenceDate) }

        mutating func uuid(_ value: UUID) {
            withUnsafeBytes(of: value.uuid) { bytes.append(contentsOf: $0) }
        }

        mutating func string(_ value: String) {
            var value = value
            value.withUTF8 { utf8 in
                varint(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func optional<T>(_ value: T?, _ body: (inout Writer, T) -> Void) {
            guard let value else { return bytes.append(0) }
            bytes.append(1)
            body(&self, value)
        }

        mutating func incident(_ incident: Incident) {
            uuid(incident.id)
            uuid(incident.monitorID)
            string(incident.cause.rawValue)
            date(incident.onset)
            date(incident.detectedAt)
            optional(incident.resolvedAt) { $0.date($1) }
            optional(incident.resolution) { $0.string($1) }
        }

        mutating func state(_ state: MonitorState) {
            string(state.status.rawValue)
            date(state.since)
            optional(state.lastSignalAt) { $0.date($1) }
            optional(state.lastProgressAt) { $0.date($1) }
            varint(UInt64(state.lastValues.count))
            for (kind, value) in state.lastValues {
                string(kind)
                double(value)
            }
            varint(UInt64(state.runs.count))
            for (run, started) in state.runs {
                string(run)
                date(started)
            }
            optional(state.incident) { $0.incident($1) }
            int64(state.revision)
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset: Int

        mutating func raw(_ count: Int) throws(IntakeCodecError) -> UnsafeRawBufferPointer {
            guard count >= 0, count <= bytes.count - offset else { throw IntakeCodecError("a step ends early") }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        }

        mutating func byte() throws(IntakeCodecError) -> UInt8 { try raw(1)[0] }

        mutating func bool() throws(IntakeCodecError) -> Bool {
            switch try byte() {
            case 0: return false
            case 1: return true
            case let other: throw IntakeCodecError("\(other) is not a flag")
            }
        }

        mutating func varint() throws(IntakeCodecError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                guard shift < 64 else { throw IntakeCodecError("a length runs past 64 bits") }
                value |= UInt64(next & 0x7F) << shift
                if next < 0x80 { return value }
                shift += 7
            }
        }

        /// A count of items or bytes, which cannot exceed what is left.
        mutating func count() throws(IntakeCodecError) -> Int {
            let value = try varint()
            guard value <= UInt64(bytes.count - offset) else { throw IntakeCodecError("a count runs past the step") }
            return Int(value)
        }

        mutating func int64() throws(IntakeCodecError) -> Int64 {
            let raw = try raw(8)
            var value: Int64 = 0
            withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: raw) }
            return Int64(littleEndian: value)
        }

        mutating func double() throws(IntakeCodecError) -> Double {
            Double(bitPattern: UInt64(bitPattern: try int64()))
        }

        mutating func date() throws(IntakeCodecError) -> Date { Date(timeIntervalSinceReferenceDate: try double()) }

        mutating func uuid() throws(IntakeCodecError) -> UUID {
            let raw = try raw(16)
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: raw) }
            return UUID(uuid: value)
        }

        mutating func string() throws(IntakeCodecError) -> String {
            String(decoding: try raw(try count()), as: UTF8.self)
        }

        mutating func status() throws(IntakeCodecError) -> MonitorStatus {
            let text = try string()
            guard let status = MonitorStatus(rawValue: text) else { throw IntakeCodecError("unknown status \(text)") }
            return status
        }

        mutating func optional<T>(
            _ body: (inout Reader) throws(IntakeCodecError) -> T
        ) throws(IntakeCodecError) -> T? {
            try bool() ? try body(&self) : nil
        }

        mutating func incident() throws(IntakeCodecError) -> Incident {
            let id = try uuid(), monitorID = try uuid()
            let causeText = try string()
            guard let cause = IncidentCause(rawValue: causeText) else {
                throw IntakeCodecError("unknown incident cause \(causeText)")
            }
            return Incident(
                id: id, monitorID: monitorID, cause: cause, onset: try date(), detectedAt: try date(),
                resolvedAt: try optional { (r: inout Reader) throws(IntakeCodecError) in try r.date() },
                resolution: try optional { (r: inout Reader) throws(IntakeCodecError) in try r.string() }
            )
        }

        mutating func state() throws(IntakeCodecError) -> MonitorState {
            let status = try status()
            let since = try date()
            let lastSignalAt = try optional { (r: inout Reader) throws(IntakeCodecError) in try r.date() }
            let lastProgressAt = try optional { (r: inout Reader) throws(IntakeCodecError) in try r.date() }
            var lastValues: [String: Double] = [:]
            for _ in 0..<(try count()) { lastValues[try string()] = try double() }
            var runs: [String: Date] = [:]
            for _ in 0..<(try count()) { runs[try string()] = try date() }
            return MonitorState(
                status: status, since: since, lastSignalAt: lastSignalAt, lastProgressAt: lastProgressAt,
                lastValues: lastValues, runs: runs,
                incident: try optional { (r: inout Reader) throws(IntakeCodecError) in try r.incident() },
                revision: try int64()
            )
        }
    }
}

/// A step in the intake log that cannot be read back.
struct IntakeCodecError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
