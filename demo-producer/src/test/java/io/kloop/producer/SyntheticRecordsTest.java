package io.kloop.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticRecordsTest {

  @Test
  void shouldGiveTheSameRecordsForTheSameSeed() {
    List<SourceRecord> first = new SyntheticRecords(3, 7, SyntheticRecords.Drift.NONE, "s-").next(50);
    List<SourceRecord> again = new SyntheticRecords(3, 7, SyntheticRecords.Drift.NONE, "s-").next(50);
    List<SourceRecord> other = new SyntheticRecords(3, 8, SyntheticRecords.Drift.NONE, "s-").next(50);

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(first.get(0).id()).isEqualTo("s-0");
  }

  @Test
  void shouldShiftAndScaleOnlyTheNamedFeatures() {
    int n = 20_000;
    List<SourceRecord> base = new SyntheticRecords(3, 11, SyntheticRecords.Drift.NONE, "b-").next(n);
    List<SourceRecord> drifted = new SyntheticRecords(3, 11,
        new SyntheticRecords.Drift(Map.of("x1", 0.5), Map.of("x2", 2.0), false), "d-").next(n);

    assertThat(mean(drifted, "x1") - mean(base, "x1")).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(std(drifted, "x2") / std(base, "x2")).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(mean(drifted, "x3")).isEqualTo(mean(base, "x3"));
    assertThat(std(base, "x1")).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.03));
  }

  @Test
  void shouldInvertTheLabelRelation() {
    List<SourceRecord> base = new SyntheticRecords(2, 5, SyntheticRecords.Drift.NONE, "b-").next(1000);
    List<SourceRecord> inverted = new SyntheticRecords(2, 5, new SyntheticRecords.Drift(Map.of(), Map.of(), true), "i-").next(1000);

    for (int i = 0; i < base.size(); i++) {
      assertThat(inverted.get(i).features()).isEqualTo(base.get(i).features());
      assertThat(inverted.get(i).label()).isNotEqualTo(base.get(i).label());
    }
  }

  @Test
  void shouldRefuseDriftOnAFeatureThatDoesNotExist() {
    assertThatThrownBy(() -> new SyntheticRecords(2, 1, new SyntheticRecords.Drift(Map.of("x3", 1.0), Map.of(), false), "p"))
        .hasMessage("no feature x3: features are x1..x2");
  }

  @Test
  void shouldReadTheShippedBreastCancerData() throws Exception {
    List<SourceRecord> records = BreastCancerCsv.read(Path.of("../data/breast_cancer.csv"));

    assertThat(records).hasSize(569);
    assertThat(records).filteredOn(r -> r.label().equals("malignant")).hasSize(212);
    assertThat(records.get(0).id()).isEqualTo("bc-0001");
    assertThat(records.get(0).features()).hasSize(30).containsEntry("mean_radius", 17.99).containsEntry("worst_fractal_dimension", 0.1189);
  }

  private static double mean(List<SourceRecord> records, String feature) {
    return records.stream().mapToDouble(r -> (Double) r.features().get(feature)).average().orElseThrow();
  }

  private static double std(List<SourceRecord> records, String feature) {
    double mean = mean(records, feature);
    return Math.sqrt(records.stream().mapToDouble(r -> Math.pow((Double) r.features().get(feature) - mean, 2)).sum() / (records.size() - 1));
  }
}
