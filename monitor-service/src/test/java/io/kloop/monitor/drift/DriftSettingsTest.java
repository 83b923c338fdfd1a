package io.kloop.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DriftSettingsTest {

  @Test
  void shouldDefaultToTheEstablishedToolsThresholds() {
    DriftSettings defaults = DriftSettings.defaults();
    assertThat(defaults.pValue()).isEqualTo(0.05);
    assertThat(defaults.psiThreshold()).isEqualTo(0.1);
    assertThat(defaults.distanceThreshold()).isEqualTo(0.1);
    assertThat(defaults.driftedShare()).isEqualTo(0.5);
    assertThat(defaults.requireEffectSize()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "0, 0.1, 0.1, 0.5, 'pValue must be in (0, 1), was 0.0'",
      "1, 0.1, 0.1, 0.5, 'pValue must be in (0, 1), was 1.0'",
      "NaN, 0.1, 0.1, 0.5, 'pValue must be in (0, 1), was NaN'",
      "0.05, 0, 0.1, 0.5, 'psiThreshold must be positive and finite, was 0.0'",
      "0.05, Infinity, 0.1, 0.5, 'psiThreshold must be positive and finite, was Infinity'",
      "0.05, 0.1, 1.5, 0.5, 'distanceThreshold (a Jensen-Shannon distance) must be in (0, 1], was 1.5'",
      "0.05, 0.1, -0.1, 0.5, 'distanceThreshold (a Jensen-Shannon distance) must be in (0, 1], was -0.1'",
      "0.05, 0.1, 0.1, 0, 'driftedShare must be in (0, 1], was 0.0'",
      "0.05, 0.1, 0.1, 1.01, 'driftedShare must be in (0, 1], was 1.01'",
  })
  void shouldRefuseSettingsOutOfRange(double pValue, double psi, double distance, double share, String message) {
    assertThatThrownBy(() -> new DriftSettings(pValue, psi, distance, share, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void shouldAcceptTheEdgesOfTheRanges() {
    assertThat(new DriftSettings(1e-9, 1e-9, 1, 1, false).distanceThreshold()).isEqualTo(1);
  }
}
