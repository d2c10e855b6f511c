package dev.teardown.cloud.tencent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.cloud.CloudDisk;
import dev.teardown.cloud.CloudInstance;
import dev.teardown.cloud.DiskPhase;
import dev.teardown.cloud.InstancePhase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tencent states to port phases, and what TerminateInstances takes along, one row per rule. */
class TencentStatesTest {

  @ParameterizedTest(name = "{0}/{1} -> {2}: {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      textBlock =
          """
      RUNNING       | SUCCESS   | RUNNING  | terminable
      STOPPED       | SUCCESS   | STOPPED  | terminable
      LAUNCH_FAILED | FAILED    | STOPPED  | never ran, terminable like a stopped one
      SHUTDOWN      | SUCCESS   | RECYCLED | prepaid in the recycle bin
      SHUTDOWN      | null      | RECYCLED | recycle bin, no operation recorded
      SHUTDOWN      | OPERATING | BUSY     | the first terminate is still moving it to the recycle bin
      RUNNING       | OPERATING | BUSY     | a terminate (or other operation) in flight
      TERMINATING   | OPERATING | BUSY     | postpaid terminate in progress
      PENDING       | SUCCESS   | BUSY     | launching
      STARTING      | SUCCESS   | BUSY     | transition
      STOPPING      | SUCCESS   | BUSY     | transition
      REBOOTING     | SUCCESS   | BUSY     | transition
      RESCUE_MODE   | SUCCESS   | BUSY     | unknown to Teardown: wait, never act
      """)
  void instancePhases(String state, String operation, InstancePhase phase, String reason) {
    assertThat(TencentStates.instancePhase(state, operation)).as(reason).isEqualTo(phase);
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      ATTACHED    | ATTACHED  | attached to its instance
      UNATTACHED  | AVAILABLE | free to release
      TORECYCLE   | RECYCLED  | in the recycle bin: released
      DETACHING   | BUSY      | transition
      ATTACHING   | BUSY      | transition
      EXPANDING   | BUSY      | transition
      ROLLBACKING | BUSY      | transition
      DUMPING     | BUSY      | transition
      """)
  void diskPhases(String state, DiskPhase phase, String reason) {
    assertThat(TencentStates.diskPhase(state)).as(reason).isEqualTo(phase);
  }

  @ParameterizedTest(name = "{0}: {6}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      postpaid delete-with-instance  | false | false | true  | true  | false | true
      postpaid kept                  | false | false | false | true  | true  | false
      non-elastic disk               | false | false | false | false | false | true
      prepaid disk, prepaid, release | true  | true  | false | true  | true  | true
      prepaid disk, prepaid, keep    | true  | true  | false | true  | false | false
      prepaid disk, postpaid host    | false | true  | false | true  | true  | false
      """)
  void releasedWithInstance(
      String reason,
      boolean instancePrepaid,
      boolean diskPrepaid,
      boolean deleteWithInstance,
      boolean portable,
      boolean releaseDataDisks,
      boolean expected) {
    CloudInstance i =
        new CloudInstance(
            "ins-a",
            "RUNNING",
            InstancePhase.RUNNING,
            instancePrepaid ? "PREPAID" : "POSTPAID_BY_HOUR",
            instancePrepaid,
            false,
            null,
            false);
    CloudDisk d =
        new CloudDisk(
            "disk-a",
            "ins-a",
            "ATTACHED",
            DiskPhase.ATTACHED,
            diskPrepaid ? "PREPAID" : "POSTPAID_BY_HOUR",
            diskPrepaid,
            deleteWithInstance,
            portable);
    assertThat(TencentStates.releasedWithInstance(i, d, releaseDataDisks))
        .as(reason)
        .isEqualTo(expected);
  }
}
