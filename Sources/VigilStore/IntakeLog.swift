import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The file beside the database that makes a step durable before SQLite has it: each group commit appends one frame
/// of encoded steps and is acknowledged once the frame is written (and, for `durableAgainstPowerLoss`, synced). The
/// store copies frames into SQLite in large transactions, records the last step copied in the same transaction, and
/// empties the file once everything in it is copied. A store that opens the database replays what is left.
///
/// A frame: `VGI1`, the payload's length (UInt32), the first step's sequence number (UInt64), the number of steps
/// (UInt32), the payload's CRC-32 (UInt32), then the steps. A frame cut short or damaged ends the log: it was being
/// written when Vigil died and was never acknowledged.
final class IntakeLog: @unchecked Sendable {
    struct Frame: Sendable {
        var first: UInt64
        var count: Int
        /// The encoded steps, without the header.
        var payload: [UInt8]

        var last: UInt64 { first + UInt64(count) - 1 }
    }

    static let headerSize = 24
    private static let magic: [UInt8] = Array("VGI1".utf8)

    let path: String
    private let descriptor: Int32

    init(path: String) throws(StoreError) {
        self.path = path
        let opened = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw .unavailable("cannot open the intake log \(path): \(String(cString: strerror(errno))) — check that "
                + "the database's folder is writable")
        }
        descriptor = opened
    }

    deinit {
        close(descriptor)
    }

    /// Takes the log for this store alone; false while another store (in this or another process) holds it.
    func lock() -> Bool {
        flock(descriptor, LOCK_EX | LOCK_NB) == 0
    }

    func unlock() {
        flock(descriptor, LOCK_UN)
    }

    /// Builds the frame for steps numbered from `first`, each already encoded in `payload`.
    static func frame(first: UInt64, count: Int, payload: [UInt8]) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerSize + payload.count)
        append(UInt32(payload.count), to: &bytes)
        append(first, to: &bytes)
        append(UInt32(count), to: &bytes)
        append(CRC32.checksum(payload), to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Appends whole frames in one write.
    func append(_ bytes: [UInt8]) throws(StoreError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                // A frame written in part would end the log at replay; cut it off so that later frames are read.
                if written > 0 { _ = ftruncate(descriptor, off_t(size() - written)) }
                throw .unavailable("the intake log \(path) could not be written: \(reason)")
            }
            written += result
        }
    }

    /// Waits until what was appended is on the disk.
    func sync() throws(StoreError) {
        if fdatasync(descriptor) != 0 {
            throw .unavailable("the intake log \(path) could not be synced: \(String(cString: strerror(errno)))")
        }
    }

    /// Empties the log; only when every frame in it is in SQLite.
    func truncate() {
        _ = ftruncate(descriptor, 0)
    }

    func size() -> Int {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
    }

    /// Every whole frame in the file, and how many bytes after them could not be read as one.
    func frames() throws(StoreError) -> (frames: [Frame], ignored: Int) {
        let total = size()
        var bytes = [UInt8](repeating: 0, count: total)
        var read = 0
        while read < total {
            let result = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + read, total - read, off_t(read))
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                throw .unavailable("the intake log \(path) could not be read: \(String(cString: strerror(errno)))")
            }
            read += result
        }
        var frames: [Frame] = []
        var offset = 0
        while total - offset >= Self.headerSize, Array(bytes[offset..<offset + 4]) == Self.magic {
            let length = Int(Self.integer(UInt32.self, in: bytes, at: offset + 4))
            let first = Self.integer(UInt64.self, in: bytes, at: offset + 8)
            let count = Int(Self.integer(UInt32.self, in: bytes, at: offset + 16))
            let checksum = Self.integer(UInt32.self, in: bytes, at: offset + 20)
            let start = offset + Self.headerSize
            guard length <= total - start, count > 0 else { break }
            let payload = Array(bytes[start..<start + length])
            guard CRC32.checksum(payload) == checksum else { break }
            frames.append(Frame(first: first, count: count, payload: payload))
            offset = start + length
        }
        return (frames, total - offset)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func integer<T: FixedWidthInteger>(_: T.Type, in bytes: [UInt8], at offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<MemoryLayout<T>.size { raw[index] = bytes[offset + index] }
        }
        return T(littleEndian: value)
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
