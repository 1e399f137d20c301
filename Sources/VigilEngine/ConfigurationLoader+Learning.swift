import Foundation
import VigilCore
import Yams

/// A monitor's calibration and forecast settings while its block is read.
struct MonitorLearning {
    var calibrate: CalibrationMode = .off
    var calibrateEntry: ConfigurationReader.Entry?
    var forecast: [ForecastRule] = []
}

// Reading the monitors' `calibrate:` and `forecast:`.
extension ConfigurationReader {
    static let learningMonitorKeys = ["calibrate", "forecast"]
    static let forecastRuleKeys = ["risk", "warn"]

    /// Reads `calibrate:` or `forecast:` of a monitor; false when it has a mistake.
    mutating func readMonitorLearning(_ field: Entry, in context: Context, into learning: inout MonitorLearning)
        -> Bool
    {
        if field.name == "calibrate" {
            guard let text = scalar(field, example: "suggest", in: context) else { return false }
            // YAML reads a bare `off` as a boolean; the text is still "off".
            guard let mode = CalibrationMode(rawValue: text.lowercased()) else {
                report(field.value, "\(context.prefix)calibrate \"\(text)\" is not known — use off, suggest or auto")
                return false
            }
            learning.calibrate = mode
            learning.calibrateEntry = field
            return true
        }
        if field.value.null != nil { return true }
        guard let sequence = field.value.sequence else {
            report(
                field.value,
                "\(context.prefix)forecast must be a list of rules — e.g. \"- risk: 60%\" with \"warn: stall likely\""
                    + " below it"
            )
            return false
        }
        var valid = true
        for (index, item) in sequence.enumerated() {
            let ruleContext = "\(context.prefix)forecast rule \(index + 1): "
            guard let mapping = item.mapping else {
                report(item, "\(ruleContext)must be a mapping — e.g. \"- risk: 60%\" with \"warn: stall likely\" below it")
                valid = false
                continue
            }
            var risk: Double?
            var message: String?
            for (key, value) in mapping {
                let name = key.scalar?.string ?? ""
                let text = value.scalar?.string.trimmingCharacters(in: .whitespaces) ?? ""
                switch name {
                case "risk":
                    if let parsed = Self.probability(text) {
                        risk = parsed
                    } else {
                        report(value, "\(ruleContext)risk \"\(text)\" is not a probability between 0 and 1 — e.g. 60% or 0.6")
                        valid = false
                    }
                case "warn":
                    if text.isEmpty || value.scalar == nil {
                        report(value, "\(ruleContext)warn needs a message — e.g. warn: \"commits are slowing down\"")
                        valid = false
                    } else {
                        message = text
                    }
                case "action", "run":
                    report(key, "\(ruleContext)\(name): is not supported in forecast rules yet — use warn: \"message\"")
                    valid = false
                default:
                    let known = Self.forecastRuleKeys.joined(separator: ", ")
                    report(key, "\(ruleContext)unknown key \"\(name)\" — known keys: \(known)")
                    valid = false
                }
            }
            guard let risk else {
                if valid { report(item, "\(ruleContext)has no risk: — e.g. risk: 60%") }
                valid = false
                continue
            }
            guard let message else {
                if valid { report(item, "\(ruleContext)has no warn: — e.g. warn: \"commits are slowing down\"") }
                valid = false
                continue
            }
            learning.forecast.append(ForecastRule(risk: risk, response: .warn(message)))
        }
        return valid
    }

    /// Checks what depends on the schedule; false when `calibrate: auto` cannot apply.
    mutating func checkLearning(_ learning: MonitorLearning, schedule: Schedule, in context: Context) -> Bool {
        guard learning.calibrate == .auto, case .cron = schedule, let entry = learning.calibrateEntry else {
            return true
        }
        report(
            entry.value,
            "\(context.prefix)calibrate: auto needs every: — a cron schedule already says when progress is due;"
                + " use calibrate: suggest to see what its history would give"
        )
        return false
    }

    /// "60%", "0.6" → 0.6; nil unless strictly between 0 and 1.
    static func probability(_ text: String) -> Double? {
        let value: Double?
        if text.hasSuffix("%") {
            value = Double(text.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 }
        } else {
            value = Double(text)
        }
        guard let value, value > 0, value < 1 else { return nil }
        return value
    }
}
