import Foundation

/// A benchmark that could not run, with what to do about it.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What a figure must reach.
enum BenchTarget {
    /// The median must be at most this.
    case atMost(Double)
    /// The median must be at least this.
    case atLeast(Double)

    /// "met", or "missed by N %" (how far the median is from the target, relative to the target).
    func verdict(_ median: Double) -> String {
        switch self {
        case .atMost(let limit):
            if median <= limit { return "met" }
            return "MISSED by \(BenchFormat.number((median - limit) / max(limit, 1e-12) * 100)) %"
        case .atLeast(let floor):
            if median >= floor { return "met" }
            return "MISSED by \(BenchFormat.number((floor - median) / max(floor, 1e-12) * 100)) %"
        }
    }
}

/// One line of the result table: a figure measured in several runs, printed as median and min–max.
struct BenchFigure {
    var name: String
    var unit: String
    var values: [Double]
    /// Shown beside the figure, e.g. "≤ 20 ms".
    var targetText: String = ""
    var target: BenchTarget?
    /// Said after the figure, e.g. how it was verified.
    var note: String = ""

    var median: Double { BenchStats.median(values) }
}

/// The result table: the machine, the build and each figure.
enum BenchReport {
    /// Prints the heading with the machine and the build; called once before the first benchmark runs.
    static func printHeading(runs: Int, quick: Bool) {
        emit("Vigil benchmarks — \(quick ? "QUICK smoke sizes (not the issue's figures)" : "full sizes"), "
            + "\(runs) run\(runs == 1 ? "" : "s") per figure")
        emit("machine: \(Machine.describe())")
        emit("build:   \(Machine.build())")
        emit("load:    \(Machine.loadAverage()) (other work on the machine slows every figure)")
        emit("")
    }

    /// Prints one section as soon as it is measured.
    static func printSection(_ title: String, _ figures: [BenchFigure], notes: [String] = []) {
        emit("== \(title)")
        let header = ["figure", "median", "min–max", "unit", "target", "verdict"]
        let rows = figures.map { figure -> [String] in
            let values = figure.values
            let range = values.isEmpty
                ? "—" : "\(BenchFormat.number(values.min()!))–\(BenchFormat.number(values.max()!))"
            return [
                figure.name, values.isEmpty ? "—" : BenchFormat.number(figure.median), range, figure.unit,
                figure.targetText, figure.target.map { values.isEmpty ? "—" : $0.verdict(figure.median) } ?? "",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == 1 || column == 2
                    ? String(repeating: " ", count: widths[column] - cell.count) + cell
                    : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        emit(line(header))
        for row in rows { emit(line(row)) }
        for figure in figures where !figure.note.isEmpty { emit("  \(figure.name): \(figure.note)") }
        for note in notes { emit("  \(note)") }
        emit("  load average after this section: \(Machine.loadAverage())")
        emit("")
    }
}

/// Writes a line to standard output at once, unbuffered, so that a long benchmark shows each section as it ends.
func emit(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Medians and percentiles.
enum BenchStats {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The nearest-rank percentile `p` (0–100) of values that are already sorted.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

enum BenchFormat {
    /// A number with thousands separated by spaces and a precision that suits its size.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let magnitude = abs(value)
        if magnitude >= 1000 {
            let digits = String(Int(value.rounded()))
            var grouped = ""
            for (index, character) in digits.reversed().enumerated() {
                if index > 0, index % 3 == 0, character != "-" { grouped.append(" ") }
                grouped.append(character)
            }
            return String(grouped.reversed())
        }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        if magnitude >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }
}

/// What the benchmarks ran on.
enum Machine {
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    static func describe() -> String {
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown CPU"
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(cores) cores (\(model)), \(String(format: "%.1f", memory)) GiB memory, Linux \(kernel)"
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func build() -> String {
        #if DEBUG
            let configuration = "DEBUG build — figures are not representative; use swift build -c release"
        #else
            let configuration = "release build"
        #endif
        // Every `vigil` the benchmarks start pays for loading a shared Swift runtime; say which kind this is.
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        let runtime = maps.contains("libswiftCore.so") ? "Swift runtime shared" : "Swift runtime static"
        return "\(configuration) (\(runtime)), vigil \(Vigil.configuration.version), \(Self.executable.path)"
    }

    /// This very binary, which the benchmarks start as `vigil serve` and `vigil run`.
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
}

/// Monotonic time in seconds.
enum BenchClock {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Monotonic time in microseconds.
    static func micros() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }

    /// CPU seconds this process has used, user and system.
    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
