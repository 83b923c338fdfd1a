package io.kloop.service.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.annotation.Validated;

class SettingsValidationTest {

  @Validated
  record Example(@DefaultValue("1") @Min(value = 1, message = "must be at least 1") int batchMaxRecords,
      @DefaultValue @Valid Window window, Map<String, @Valid Window> models) {}

  record Window(@DefaultValue("2") @Min(value = 2, message = "must be at least 2") int minPredictions, @DefaultValue("3") int size) {
    @AssertTrue(message = "size must be at least min-predictions")
    boolean isSizeEnough() {
      return size >= minPredictions;
    }
  }

  /** Unchecked: no {@code @Validated}. */
  record Unchecked(@DefaultValue("1") @Min(value = 1, message = "must be at least 1") int batchMaxRecords) {}

  private static <T> T bind(Class<T> type, Map<String, String> settings) {
    return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("kloop.example", Bindable.of(type), SettingsValidation.handler());
  }

  @Test
  void shouldNameThePropertyAsItIsWrittenAndTheValueGiven() {
    assertThatThrownBy(() -> bind(Example.class, Map.of("kloop.example.batch-max-records", "0")))
        .rootCause().isInstanceOf(IllegalArgumentException.class).hasMessage("kloop.example.batch-max-records must be at least 1, got 0");
    assertThatThrownBy(() -> bind(Example.class, Map.of("kloop.example.window.min-predictions", "1")))
        .rootCause().hasMessage("kloop.example.window.min-predictions must be at least 2, got 1");
    assertThatThrownBy(() -> bind(Example.class, Map.of("kloop.example.models.tumours.min-predictions", "1")))
        .rootCause().hasMessage("kloop.example.models.tumours.min-predictions must be at least 2, got 1");
  }

  @Test
  void shouldStateARuleAcrossSettingsUnderTheirPrefix() {
    assertThatThrownBy(() -> bind(Example.class, Map.of("kloop.example.window.size", "2", "kloop.example.window.min-predictions", "5")))
        .rootCause().hasMessage("kloop.example.window size must be at least min-predictions");
  }

  @Test
  void shouldListEveryBrokenRule() {
    assertThatThrownBy(() -> bind(Example.class, Map.of("kloop.example.batch-max-records", "0", "kloop.example.window.min-predictions", "1")))
        .rootCause().hasMessage("kloop.example.batch-max-records must be at least 1, got 0; "
            + "kloop.example.window.min-predictions must be at least 2, got 1");
  }

  @Test
  void shouldPassGoodSettingsAndLeaveSettingsWithoutValidatedAlone() {
    assertThat(bind(Example.class, Map.of("kloop.example.batch-max-records", "5")).batchMaxRecords()).isEqualTo(5);
    assertThat(bind(Unchecked.class, Map.of("kloop.example.batch-max-records", "0")).batchMaxRecords()).isZero();
  }

  @Test
  void shouldWriteNamesAsConfigurationDoes() {
    assertThat(SettingsValidation.kebab("batchMaxRecords")).isEqualTo("batch-max-records");
    assertThat(SettingsValidation.kebab("pValue")).isEqualTo("p-value");
    assertThat(SettingsValidation.kebab("size")).isEqualTo("size");
  }
}
