package dev.teardown.cloud;

/**
 * One observed instance.
 *
 * @param state the cloud's own state name (RUNNING, SHUTDOWN, Stopped, ...)
 * @param chargeType the cloud's own charge type name (PREPAID, POSTPAID_BY_HOUR, Dynamic, PostPaid, ...)
 * @param prepaid true for subscription (monthly/yearly) billing
 * @param deletionProtected termination protection is on; the cloud will refuse
 * @param notDeletableReason non-null when the cloud's rules forbid deleting it now (e.g. unexpired prepaid on
 *     Volcengine): a message a person can act on
 * @param spot preemptible/spot instance (CompShare needs Force to stop it)
 */
public record CloudInstance(
    String id,
    String state,
    InstancePhase phase,
    String chargeType,
    boolean prepaid,
    boolean deletionProtected,
    String notDeletableReason,
    boolean spot) {

  public static CloudInstance gone(String id) {
    return new CloudInstance(id, "Gone", InstancePhase.GONE, null, false, false, null, false);
  }
}
