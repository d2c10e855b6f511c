package dev.teardown.sim.compshare;

/**
 * The RetCodes the CompShare simulator answers with. Gateway codes below 200 and 220/230 are
 * UCloud's own (UCloud API docs: 171 "Signature VerifyAC Error", 172 "User Not Exists"; UCloud SDK
 * tests: 160 "Missing Action", 161 "Action [X] not found"; UCloud gateways: 170 "Missing
 * signature", 220 "Missing params [X]", 230 "Params [X] not available"). CompShare does not
 * document the numbers of its business errors, so the 2000+ codes are our choice; they sit at or
 * above 2000, which UCloud's own Go SDK treats as retryable, and the messages carry the documented
 * names (e.g. InstanceOperationInProgress) so a client can match on text.
 */
public final class CompShareCodes {
  private CompShareCodes() {}

  public static final int MISSING_ACTION = 160;
  public static final int ACTION_NOT_FOUND = 161;
  public static final int MISSING_SIGNATURE = 170;
  public static final int SIGNATURE_ERROR = 171;
  public static final int USER_NOT_EXISTS = 172;
  public static final int MISSING_PARAMS = 220;
  public static final int PARAMS_NOT_AVAILABLE = 230;

  /** Over the per-action request rate (our choice of number; message says "frequency limit"). */
  public static final int RATE_LIMITED = 2003;

  /** Generic server-side failure, the default for injected ERROR faults without a code. */
  public static final int INTERNAL_ERROR = 5000;

  /**
   * The per-instance operation lock is held (documented name InstanceOperationInProgress; number
   * ours).
   */
  public static final int OPERATION_IN_PROGRESS = 8010;

  /** The instance is not in a state that allows the operation (e.g. terminate while Running). */
  public static final int STATE_NOT_ALLOWED = 8012;

  /** Detach of a disk that is not attached to that instance. */
  public static final int DISK_NOT_ATTACHED = 8013;

  /** Delete of a disk that is still attached. */
  public static final int DISK_IN_USE = 8014;

  /**
   * UHost or UDisk does not exist (8039 is what UCloud's SDK scenario tests expect for a released
   * resource).
   */
  public static final int RESOURCE_NOT_EXIST = 8039;
}
