package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Reads {@code status} so that no stored status can stop the informer: fields this build does not
 * know are ignored; a status that cannot be read at all becomes an {@link UnreadableStatus},
 * written back as stored.
 */
public final class TolerantStatusDeserializer extends StdDeserializer<CloudInstanceDeletionStatus> {

  public TolerantStatusDeserializer() {
    super(CloudInstanceDeletionStatus.class);
  }

  @Override
  public CloudInstanceDeletionStatus deserialize(JsonParser p, DeserializationContext ctxt)
      throws IOException {
    JsonNode node = p.readValueAsTree();
    return read(node);
  }

  /** The status of a JSON tree, never throwing. */
  public static CloudInstanceDeletionStatus read(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (!node.isObject()) {
      return new UnreadableStatus(
          node.deepCopy(),
          "status is a " + node.getNodeType().name().toLowerCase() + ", not an object");
    }
    try {
      return TolerantSpecDeserializer.LENIENT.treeToValue(node, CloudInstanceDeletionStatus.class);
    } catch (IOException | IllegalArgumentException e) {
      return new UnreadableStatus(node.deepCopy(), TolerantSpecDeserializer.describe("status", e));
    }
  }

  /** Writes an {@link UnreadableStatus} back as stored, any other status as usual. */
  public static final class Writer extends StdSerializer<CloudInstanceDeletionStatus> {

    public Writer() {
      super(CloudInstanceDeletionStatus.class);
    }

    @Override
    public void serialize(
        CloudInstanceDeletionStatus status, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (status instanceof UnreadableStatus u) {
        gen.writeTree(u.stored());
      } else {
        provider
            .findValueSerializer(CloudInstanceDeletionStatus.class)
            .serialize(status, gen, provider);
      }
    }

    @Override
    public void acceptJsonFormatVisitor(JsonFormatVisitorWrapper visitor, JavaType type)
        throws JsonMappingException {
      visitor
          .getProvider()
          .findValueSerializer(CloudInstanceDeletionStatus.class)
          .acceptJsonFormatVisitor(visitor, type);
    }
  }
}
