package io.kloop.inference.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kloop.events.FeatureType;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class DatatypeTest {

  @Test
  void shouldKnowTheProtocolsDatatypesByTheirExactNames() {
    for (String name : new String[] {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"}) {
      assertThat(Datatype.of(name)).as(name).isNotNull().hasToString(name);
    }
    for (String other : new String[] {"fp64", "FP128", "STRING", "BF16", "", " FP64", "INT128"}) {
      assertThat(Datatype.of(other)).as(other).isNull();
    }
    assertThat(Datatype.of(null)).isNull();
  }

  @Test
  void shouldServeANumericFeatureWithAnyNumberTypeAndTheOthersWithTheirOwn() {
    for (Datatype type : Datatype.values()) {
      boolean number = type != Datatype.BOOL && type != Datatype.BYTES;
      assertThat(type.serves(FeatureType.NUMERIC)).as(type.name()).isEqualTo(number);
      assertThat(type.serves(FeatureType.BOOLEAN)).as(type.name()).isEqualTo(type == Datatype.BOOL);
      assertThat(type.serves(FeatureType.CATEGORICAL)).as(type.name()).isEqualTo(type == Datatype.BYTES);
    }
  }

  @Test
  void shouldHoldWholeNumbersInTheIntegerTypesRange() {
    assertThat(Datatype.UINT8.fits(0)).isTrue();
    assertThat(Datatype.UINT8.fits(255)).isTrue();
    assertThat(Datatype.UINT8.fits(256)).isFalse();
    assertThat(Datatype.UINT8.fits(-1)).isFalse();
    assertThat(Datatype.INT8.fits(-128)).isTrue();
    assertThat(Datatype.INT8.fits(128)).isFalse();
    assertThat(Datatype.INT16.fits(-32769)).isFalse();
    assertThat(Datatype.UINT16.fits(65535)).isTrue();
    assertThat(Datatype.UINT32.fits(4_294_967_295L)).isTrue();
    assertThat(Datatype.UINT32.fits(4_294_967_296L)).isFalse();
    assertThat(Datatype.INT32.fits(2_147_483_648L)).isFalse();
    assertThat(Datatype.INT64.fits(Long.MIN_VALUE)).isTrue();
    assertThat(Datatype.INT64.fits(new BigInteger("9223372036854775808"))).isFalse();
    assertThat(Datatype.UINT64.fits(new BigInteger("18446744073709551615"))).isTrue();
    assertThat(Datatype.UINT64.fits(new BigInteger("18446744073709551616"))).isFalse();
    assertThat(Datatype.UINT64.fits(-1L)).isFalse();
    // A fraction, even a whole one written with a point, is no integer; nor are other JSON values.
    assertThat(Datatype.INT32.fits(1.5)).isFalse();
    assertThat(Datatype.INT32.fits(2.0)).isFalse();
    assertThat(Datatype.INT32.fits("2")).isFalse();
    assertThat(Datatype.INT32.fits(true)).isFalse();
  }

  @Test
  void shouldHoldFiniteNumbersInTheFloatingPointTypesRange() {
    assertThat(Datatype.FP16.fits(65504.0)).isTrue();
    assertThat(Datatype.FP16.fits(65505.0)).isFalse();
    assertThat(Datatype.FP16.fits(70000)).isFalse();
    assertThat(Datatype.FP32.fits(3.4e38)).isTrue();
    assertThat(Datatype.FP32.fits(3.5e38)).isFalse();
    assertThat(Datatype.FP32.fits(new BigInteger("1" + "0".repeat(39)))).isFalse();
    assertThat(Datatype.FP64.fits(1e308)).isTrue();
    assertThat(Datatype.FP64.fits(new BigInteger("1" + "0".repeat(400)))).isFalse();
    assertThat(Datatype.FP64.fits(Double.POSITIVE_INFINITY)).isFalse();
    assertThat(Datatype.FP64.fits(Double.NaN)).isFalse();
    assertThat(Datatype.FP64.fits(7)).isTrue();
    assertThat(Datatype.FP64.fits(Long.MAX_VALUE)).isTrue();
    assertThat(Datatype.FP64.fits("1.5")).isFalse();
    assertThat(Datatype.FP64.fits(false)).isFalse();
  }

  @Test
  void shouldHoldBooleansInBoolAndStringsInBytes() {
    assertThat(Datatype.BOOL.fits(true)).isTrue();
    assertThat(Datatype.BOOL.fits(1)).isFalse();
    assertThat(Datatype.BOOL.fits("true")).isFalse();
    assertThat(Datatype.BYTES.fits("oval")).isTrue();
    assertThat(Datatype.BYTES.fits(1)).isFalse();
    assertThat(Datatype.BYTES.fits(true)).isFalse();
  }
}
