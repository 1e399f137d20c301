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
    static let forecastRuleKeys = ["risk", "drop", "warn", "action"]

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
            var trigger: ForecastRule.Trigger?
            var message: String?
            var action: String?
            for (key, value) in mapping {
                let name = key.scalar?.string ?? ""
                let text = value.scalar?.string.trimmingCharacters(in: .whitespaces) ?? ""
                switch name {
                case "risk":
                    if let parsed = Self.probability(text) {
                        if trigger != nil {
                            report(key, "\(ruleContext)has both risk: and drop: — give each its own rule")
                            valid = false
                        }
                        trigger = .risk(parsed)
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
                case "drop":
                    if SignalKind.isValidTypedName(text), text != "failure_ratio" {
                        if trigger != nil {
                            report(key, "\(ruleContext)has both risk: and drop: — give each its own rule")
                            valid = false
                        }
                        trigger = .drop(kind: text)
                    } else {
                        report(value, "\(ruleContext)drop \"\(text)\" is not a signal kind — e.g. drop: engagement")
                        valid = false
                    }
                case "action":
                    if text.isEmpty || value.scalar == nil {
                        report(value, "\(ruleContext)action needs the name of a declared action — e.g. action: write-article")
                        valid = false
                    } else {
                        action = text
                        refer(.action, text, value, user: "\(ruleContext)action")
                    }
                default:
                    let known = Self.forecastRuleKeys.joined(separator: ", ")
                    report(key, "\(ruleContext)unknown key \"\(name)\" — known keys: \(known)")
                    valid = false
                }
            }
            guard let trigger else {
                if valid { report(item, "\(ruleContext)has no risk: or drop: — e.g. risk: 60% or drop: engagement") }
                valid = false
                continue
            }
            guard message != nil || action != nil else {
                if valid {
                    report(item, "\(ruleContext)has no warn: or action: — e.g. warn: \"commits are slowing down\""
                        + " or action: write-article")
                }
                valid = false
                continue
            }
            var responses: [ForecastRule.Response] = []
            if let message { responses.append(.warn(message)) }
            if let action { responses.append(.run(action: action)) }
            learning.forecast.append(ForecastRule(trigger: trigger, responses: responses))
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
