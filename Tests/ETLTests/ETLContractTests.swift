import BourseTesting
import ServiceKit
import Testing
@testable import ETL

/// The `etl` service serves exactly the operations its contract declares.
@Suite struct ETLContractTests {
    @Test func servedRoutesMatchTheContract() async throws {
        let harness = try await ETLHarness.make(.sqlite)
        let served: [ServiceRouter.Route]
        do {
            served = try await TestSupport.servedRoutes(ETLService.self, settings: ["database.url": harness.databaseURL, "data.dir": harness.dataDir])
        } catch {
            await harness.closeStore()
            throw error
        }
        await harness.closeStore()
        #expect(ContractCheck.differences(served: served, contract: ETLService.descriptor.contract) == [])
    }
}
