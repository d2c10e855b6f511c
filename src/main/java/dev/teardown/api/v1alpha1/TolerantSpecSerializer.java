package dev.teardown.api.v1alpha1;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a spec back as it was stored when this build could not read all of it (unknown fields, or
 * unreadable), so that copies of the resource (the framework clones it through JSON) and status
 * writes keep what was stored. Otherwise writes the spec as usual; the schema of the CRD is the
 * spec class's own.
 */
public final class TolerantSpecSerializer extends StdSerializer<CloudInstanceDeletionSpec> {

  public TolerantSpecSerializer() {
    super(CloudInstanceDeletionSpec.class);
  }

  @Override
  public void serialize(
      CloudInstanceDeletionSpec spec, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    if (spec.stored() != null) {
      gen.writeTree(spec.stored());
    } else {
      provider.findValueSerializer(CloudInstanceDeletionSpec.class).serialize(spec, gen, provider);
    }
  }

  @Override
  public void acceptJsonFormatVisitor(JsonFormatVisitorWrapper visitor, JavaType type)
      throws JsonMappingException {
    visitor
        .getProvider()
        .findValueSerializer(CloudInstanceDeletionSpec.class)
        .acceptJsonFormatVisitor(visitor, type);
  }
}
