import Foundation
import Testing

@testable import VigilEngine

@Suite("forecast check interval")
struct ForecastIntervalTests {
    @Test("a quarter of the shortest forecasting period, from one second to one minute")
    func derived() {
        #expect(ForecastService.checkInterval(for: []) == .seconds(60))
        #expect(ForecastService.checkInterval(for: [6, 3_600]) == .seconds(1.5))
        #expect(ForecastService.checkInterval(for: [2]) == .seconds(1))
        #expect(ForecastService.checkInterval(for: [4 * 3_600]) == .seconds(60))
    }
}
