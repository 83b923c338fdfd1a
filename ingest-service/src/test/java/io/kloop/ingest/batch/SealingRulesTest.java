package io.kloop.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a batch is sealed, one rule per test, and how an open batch counts its records. */
class SealingRulesTest {

  private static final long OPENED = 1_000_000L;
  private final SealingRules rules = new SealingRules(3, Duration.ofSeconds(30));

  @Test
  void sealsABatchOnceItHoldsMaxRecords() {
    OpenBatch one = OpenBatch.first(1, 2, 40, OPENED);
    OpenBatch two = one.plus(41);
    OpenBatch three = two.plus(45);

    assertThat(rules.full(one)).isFalse();
    assertThat(rules.full(two)).isFalse();
    assertThat(rules.full(three)).isTrue();
    assertThat(three.count()).isEqualTo(3);
    assertThat(three.batchId("tumours")).as("named by its offsets").isEqualTo("tumours-v1-p2-40-45");
  }

  @Test
  void sealsABatchOnceItsFirstRecordIsMaxAgeOld() {
    OpenBatch batch = OpenBatch.first(1, 0, 7, OPENED).plus(8);

    assertThat(rules.expired(batch, OPENED)).isFalse();
    assertThat(rules.expired(batch, OPENED + 29_999)).isFalse();
    assertThat(rules.expired(batch, OPENED + 30_000)).isTrue();
    assertThat(rules.expired(batch, OPENED + 86_400_000)).isTrue();
  }

  @Test
  void sealsTheOpenBatchBeforeARecordOfAnotherSpecVersion() {
    OpenBatch batch = OpenBatch.first(2, 0, 7, OPENED);

    assertThat(rules.versionChanged(batch, 2)).isFalse();
    assertThat(rules.versionChanged(batch, 3)).isTrue();
    assertThat(rules.versionChanged(batch, 1)).as("a record checked against an older version too").isTrue();
  }

  @Test
  void keepsWhereABatchStartsAndReadsItBackAsOneRecord() {
    OpenBatch batch = OpenBatch.first(2, 1, 7, OPENED).plus(9).plus(12);

    OpenBatch start = OpenBatch.decodeStart(batch.encodeStart());

    assertThat(start).isEqualTo(OpenBatch.first(2, 1, 7, OPENED));
    assertThat(OpenBatch.decodeStart("2,5,1,7,12," + OPENED)).as("the six fields stored before").isEqualTo(start);
  }
}
