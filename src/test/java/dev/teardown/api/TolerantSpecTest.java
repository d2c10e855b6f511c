package dev.teardown.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teardown.api.v1alpha1.CloudInstanceDeletion;
import dev.teardown.api.v1alpha1.Provider;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/**
 * No stored spec can make deserialization fail; what this build cannot read is reported and kept as
 * stored.
 */
class TolerantSpecTest {
  private static final String HEAD =
      "{\"apiVersion\":\"teardown.dev/v1alpha1\",\"kind\":\"CloudInstanceDeletion\","
          + "\"metadata\":{\"name\":\"x\",\"namespace\":\"ci\"},\"spec\":";

  @Test
  void unknownFieldsAreListedIgnoredAndKeptThroughACopy() {
    CloudInstanceDeletion r =
        Serialization.unmarshal(
            HEAD
                + "{\"provider\":\"tencentcloud\",\"region\":\"ap-beijing\","
                + "\"instanceIds\":[\"ins-abcd1234\"],\"credentialsSecretRef\":{\"name\":\"k\",\"namespace\":\"x\"},"
                + "\"approval\":{\"ticket\":\"CHG-1\"},\"later\":1}}",
            CloudInstanceDeletion.class);
    assertThat(r.getSpec().getProvider()).isEqualTo(Provider.TENCENTCLOUD);
    assertThat(r.getSpec().getInstanceIds()).containsExactly("ins-abcd1234");
    assertThat(r.getSpec().unknownFields()).containsExactly("spec.approval", "spec.later");
    assertThat(r.getSpec().readProblem()).isNull();
    CloudInstanceDeletion copy = Serialization.clone(r);
    assertThat(copy.getSpec().unknownFields()).containsExactly("spec.approval", "spec.later");
    assertThat(Serialization.asJson(copy)).contains("\"approval\":{\"ticket\":\"CHG-1\"}");
  }

  @Test
  void anUnreadableSpecBecomesAnEmptyOneWithAProblemThatNamesThePathButNotTheValue() {
    CloudInstanceDeletion r =
        Serialization.unmarshal(
            HEAD
                + "{\"provider\":\"tencentcloud\",\"region\":\"ap-beijing\","
                + "\"instanceIds\":[\"ins-abcd1234\"],\"credentialsSecretRef\":{\"name\":\"k\"},\"dryRun\":\"s3cr3t-ish\"}}",
            CloudInstanceDeletion.class);
    assertThat(r.getSpec().readProblem()).contains("spec.dryRun").doesNotContain("s3cr3t");
    assertThat(r.getSpec().getProvider()).isNull();
    assertThat(r.getSpec().getInstanceIds()).isEmpty();
    assertThat(Serialization.asJson(Serialization.clone(r)))
        .contains("s3cr3t-ish"); // written back as stored
    assertThat(Serialization.clone(r).getSpec().readProblem()).isNotNull();

    for (String spec :
        new String[] {
          "[1]",
          "\"text\"",
          "{\"instanceIds\":{\"a\":1}}",
          "{\"provider\":\"aws\"}",
          "{\"provider\":7,\"instanceIds\":[[1]]}"
        }) {
      CloudInstanceDeletion bad =
          Serialization.unmarshal(HEAD + spec + "}", CloudInstanceDeletion.class);
      assertThat(bad.getSpec().readProblem()).as(spec).isNotNull();
    }
  }

  @Test
  void aWellFormedSpecIsReadAsBeforeAndWrittenFromItsFields() {
    CloudInstanceDeletion r =
        Serialization.unmarshal(
            HEAD
                + "{\"provider\":\"volcengine\",\"region\":\"cn-beijing\","
                + "\"instanceIds\":[\"i-abcd12345\"],\"credentialsSecretRef\":{\"name\":\"k\"}}}",
            CloudInstanceDeletion.class);
    assertThat(r.getSpec().unknownFields()).isEmpty();
    assertThat(r.getSpec().readProblem()).isNull();
    r.getSpec().setRegion("cn-shanghai");
    assertThat(Serialization.asJson(r))
        .contains("\"region\":\"cn-shanghai\"")
        .contains("\"dataDisks\":\"Release\"");
  }

  @Test
  void aStatusFromANewerOperatorIsReadWithoutItsNewFieldsOrKeptAsStoredWhenItsPhaseIsUnknown() {
    String spec =
        "{\"provider\":\"tencentcloud\",\"region\":\"ap-beijing\",\"instanceIds\":[\"ins-abcd1234\"],"
            + "\"credentialsSecretRef\":{\"name\":\"k\"}}";
    CloudInstanceDeletion r =
        Serialization.unmarshal(
            HEAD + spec + ",\"status\":{\"phase\":\"Terminating\"," + "\"newCounter\":3}}",
            CloudInstanceDeletion.class);
    assertThat(r.getStatus().getPhase()).isEqualTo(dev.teardown.api.v1alpha1.Phase.Terminating);

    CloudInstanceDeletion future =
        Serialization.unmarshal(
            HEAD + spec + ",\"status\":{\"phase\":\"Paused\"}}", CloudInstanceDeletion.class);
    assertThat(future.getStatus()).isInstanceOf(dev.teardown.api.v1alpha1.UnreadableStatus.class);
    assertThat(((dev.teardown.api.v1alpha1.UnreadableStatus) future.getStatus()).problem())
        .contains("status.phase cannot be read")
        .doesNotContain("Paused");
    assertThat(Serialization.asJson(Serialization.clone(future)))
        .contains("\"status\":{\"phase\":\"Paused\"}");
  }
}
