package io.kloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

  @Test
  void shouldDescribeARecordsLayoutFieldByFieldWithoutItsDocs() {
    Schema schema = new Schema.Parser().parse("""
        {"type": "record", "name": "Sample", "namespace": "test", "doc": "ignored", "fields": [
          {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "ignored"},
          {"name": "label", "type": ["null", "string"], "default": null},
          {"name": "scores", "type": {"type": "map", "values": "double"}},
          {"name": "tags", "type": {"type": "array", "items": {"type": "enum", "name": "Tag", "symbols": ["A", "B"]}}},
          {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}}
        ]}""");

    assertThat(EventCatalog.layout(schema)).containsExactly("at:LONG/timestamp-millis", "label:[NULL, STRING]", "scores:MAP<DOUBLE>",
        "tags:ARRAY<test.Tag>", "inner:test.Inner");
  }
}
