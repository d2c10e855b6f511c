package dev.teardown.cloud.compshare;

import cn.ucloud.common.annotation.NotEmpty;
import cn.ucloud.common.annotation.UCloudParam;
import cn.ucloud.common.request.Request;
import cn.ucloud.common.response.Response;
import com.google.gson.annotations.SerializedName;
import java.util.List;

/**
 * Request and response models of the five CompShare actions, for the UCloud SDK core's {@code
 * DefaultClient} (the SDK's ucompshare module is not published, and its models lack {@code
 * ReleaseUDisk}, {@code Force} and {@code InRecycle} anyway). Shaped like the SDK's generated
 * models: {@link UCloudParam} names the wire parameter (lists are flattened to {@code Key.N} by the
 * SDK), {@link NotEmpty} marks required ones, Gson reads responses. Region and ProjectId come from
 * the SDK {@code Config} through the base {@link Request}.
 */
final class CompShareApi {
  private CompShareApi() {}

  static final String DESCRIBE = "DescribeCompShareInstance";
  static final String STOP = "StopCompShareInstance";
  static final String TERMINATE = "TerminateCompShareInstance";
  static final String DETACH = "DetachCompshareDisk";
  static final String DELETE_DISK = "DeleteCompshareDisk";

  /** DescribeCompShareInstance: UHostIds.N (≤ 100), Limit (default 20, max 100), Offset. */
  static final class DescribeRequest extends Request {
    @UCloudParam("Zone")
    private String zone;

    @UCloudParam("UHostIds")
    private List<String> uHostIds;

    @UCloudParam("Offset")
    private Integer offset;

    @UCloudParam("Limit")
    private Integer limit;

    DescribeRequest(String zone, List<String> uHostIds, int offset, int limit) {
      setAction(DESCRIBE);
      this.zone = zone;
      this.uHostIds = uHostIds;
      this.offset = offset;
      this.limit = limit;
    }
  }

  static final class DescribeResponse extends Response {
    @SerializedName("TotalCount")
    Integer totalCount;

    @SerializedName("UHostSet")
    List<UHost> uHostSet;
  }

  static final class UHost {
    @SerializedName("UHostId")
    String uHostId;

    @SerializedName("Zone")
    String zone;

    @SerializedName("Name")
    String name;

    /**
     * Running, Stopped, Starting, Stopping, Rebooting, Install, "Install Fail", Initializing,
     * Resizing, "".
     */
    @SerializedName("State")
    String state;

    /** Year, Month, Dynamic, Postpay; Spot for preemptible instances. */
    @SerializedName("ChargeType")
    String chargeType;

    @SerializedName("DiskSet")
    List<UHostDisk> diskSet;
  }

  static final class UHostDisk {
    @SerializedName("DiskId")
    String diskId;

    /** "True" for the system disk, "False" for data disks. */
    @SerializedName("IsBoot")
    String isBoot;

    /**
     * Boot, Data or Udisk (documented as "no longer recommended"; IsBoot is the primary signal).
     */
    @SerializedName("Type")
    String type;

    @SerializedName("DiskType")
    String diskType;

    @SerializedName("Size")
    Integer size;
  }

  /** StopCompShareInstance: Force is required (true) for preemptible instances. */
  static final class StopRequest extends Request {
    @NotEmpty
    @UCloudParam("Zone")
    private String zone;

    @NotEmpty
    @UCloudParam("UHostId")
    private String uHostId;

    @UCloudParam("Force")
    private Boolean force;

    StopRequest(String zone, String uHostId, Boolean force) {
      setAction(STOP);
      this.zone = zone;
      this.uHostId = uHostId;
      this.force = force;
    }
  }

  static final class StopResponse extends Response {
    @SerializedName("UHostId")
    String uHostId;
  }

  /**
   * TerminateCompShareInstance: only Stopped instances; ReleaseUDisk (default false) also deletes
   * data disks.
   */
  static final class TerminateRequest extends Request {
    @NotEmpty
    @UCloudParam("Zone")
    private String zone;

    @NotEmpty
    @UCloudParam("UHostId")
    private String uHostId;

    @UCloudParam("ReleaseUDisk")
    private Boolean releaseUDisk;

    TerminateRequest(String zone, String uHostId, boolean releaseUDisk) {
      setAction(TERMINATE);
      this.zone = zone;
      this.uHostId = uHostId;
      this.releaseUDisk = releaseUDisk;
    }
  }

  static final class TerminateResponse extends Response {
    @SerializedName("UHostId")
    String uHostId;

    @SerializedName("InRecycle")
    String inRecycle;
  }

  /** DetachCompshareDisk: the instance must be Stopped; the system disk cannot be detached. */
  static final class DetachRequest extends Request {
    @UCloudParam("Zone")
    private String zone;

    @NotEmpty
    @UCloudParam("UHostId")
    private String uHostId;

    @NotEmpty
    @UCloudParam("UDiskId")
    private String uDiskId;

    DetachRequest(String zone, String uHostId, String uDiskId) {
      setAction(DETACH);
      this.zone = zone;
      this.uHostId = uHostId;
      this.uDiskId = uDiskId;
    }
  }

  static final class DetachResponse extends Response {}

  /**
   * DeleteCompshareDisk: only unattached disks; deleting a deleted disk succeeds. The SDK model
   * also marks TopOrganizationID/OrganizationID required, the API docs do not list them; we follow
   * the docs.
   */
  static final class DeleteDiskRequest extends Request {
    @NotEmpty
    @UCloudParam("Zone")
    private String zone;

    @NotEmpty
    @UCloudParam("UDiskId")
    private String uDiskId;

    DeleteDiskRequest(String zone, String uDiskId) {
      setAction(DELETE_DISK);
      this.zone = zone;
      this.uDiskId = uDiskId;
    }
  }

  static final class DeleteDiskResponse extends Response {
    @SerializedName("UDiskId")
    String uDiskId;
  }
}
