package io.kloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.service.settings.SettingsValidation;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class IngestPropertiesTest {

  private static IngestProperties bind(Map<String, String> settings) {
    // Checked as at start-up: the settings' rules are constraints, applied when they are bound.
    return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("kloop.ingest", Bindable.of(IngestProperties.class),
        SettingsValidation.handler());
  }

  @Test
  void shouldBindTheDefaultsAndTheSettingsGiven() {
    IngestProperties defaults = bind(Map.of());
    assertThat(defaults.batchMaxRecords()).isEqualTo(1000);
    assertThat(defaults.batchMaxAge()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.idFilterMaxIds()).isEqualTo(10_000_000L);

    IngestProperties set = bind(Map.of("kloop.ingest.batch-max-records", "5", "kloop.ingest.id-filter-max-ids", "0"));
    assertThat(set.batchMaxRecords()).isEqualTo(5);
    assertThat(set.idFilterMaxIds()).as("0 turns the filters off").isZero();
  }

  @Test
  void shouldRefuseSettingsThatCannotWork() {
    assertThatThrownBy(() -> bind(Map.of("kloop.ingest.batch-max-records", "0")))
        .rootCause().hasMessage("kloop.ingest.batch-max-records must be at least 1, got 0");
    assertThatThrownBy(() -> bind(Map.of("kloop.ingest.batch-max-age", "0s")))
        .rootCause().hasMessage("kloop.ingest.batch-max-age must be positive, got PT0S");
    assertThatThrownBy(() -> bind(Map.of("kloop.ingest.batch-max-age", "P99999999999999D")))
        .rootCause().hasMessageStartingWith("kloop.ingest.batch-max-age must be at most PT24H");
    assertThatThrownBy(() -> bind(Map.of("kloop.ingest.batch-max-age", "25h")))
        .rootCause().hasMessageEndingWith("got PT25H");
    assertThat(bind(Map.of("kloop.ingest.batch-max-age", "1d")).batchMaxAge()).isEqualTo(Duration.ofDays(1));
    assertThatThrownBy(() -> bind(Map.of("kloop.ingest.id-filter-max-ids", "-1")))
        .rootCause().hasMessage("kloop.ingest.id-filter-max-ids must be 0 (no filters) or more, got -1");
    assertThatThrownBy(() -> bind(Map.of("kloop.ingest.max-request-bytes", "0")))
        .rootCause().hasMessage("kloop.ingest.max-request-bytes must be at least 1, got 0");
  }
}
