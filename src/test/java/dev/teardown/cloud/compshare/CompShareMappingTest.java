package dev.teardown.cloud.compshare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.InstancePhase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CompShare states and charge types reduced to what the deletion steps decide on. */
class CompShareMappingTest {

  @ParameterizedTest(name = "\"{0}\" -> {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Running      | RUNNING | must be stopped before terminate",
        "Stopped      | STOPPED | terminable",
        "Install Fail | STOPPED | failed to launch: terminable like a stopped one",
        "Starting     | BUSY    | transition: wait",
        "Stopping     | BUSY    | transition: wait",
        "Rebooting    | BUSY    | transition: wait",
        "Install      | BUSY    | being installed: wait",
        "Initializing | BUSY    | being created: wait",
        "Resizing     | BUSY    | being resized: wait",
        "''           | BUSY    | unknown (state query timed out on the cloud side): wait, never guess",
        "Hibernating  | BUSY    | a state we do not know: wait rather than act"
      })
  void mapsStates(String state, InstancePhase phase, String reason) {
    assertThat(CompShareProvider.phase(state)).as(reason).isEqualTo(phase);
  }

  @ParameterizedTest(name = "{0}: prepaid={1} spot={2}")
  @CsvSource({
    "Month,true,false",
    "Year,true,false",
    "Dynamic,false,false",
    "Postpay,false,false",
    "Spot,false,true",
    "Preemptive,false,true"
  })
  void mapsChargeTypes(String chargeType, boolean prepaid, boolean spot) {
    assertThat(CompShareProvider.prepaid(chargeType)).isEqualTo(prepaid);
    assertThat(CompShareProvider.spot(chargeType)).isEqualTo(spot);
  }
}
