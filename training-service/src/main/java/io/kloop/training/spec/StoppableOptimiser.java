package io.kloop.training.spec;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * An SGD optimiser that asks, before every step, whether the run should stop ({@code stop} throws when it
 * should). Tribuo's SGD trainers have no way to be interrupted; they do call the optimiser once per
 * minibatch, so a cancelled or timed-out run stops within one step. Otherwise it is the wrapped optimiser,
 * provenance included.
 */
final class StoppableOptimiser implements StochasticGradientOptimiser {

  private final StochasticGradientOptimiser optimiser;
  private final Runnable stop;

  StoppableOptimiser(StochasticGradientOptimiser optimiser, Runnable stop) {
    this.optimiser = optimiser;
    this.stop = stop;
  }

  @Override
  public void initialise(Parameters parameters) {
    optimiser.initialise(parameters);
  }

  @Override
  public Tensor[] step(Tensor[] updates, double weight) {
    stop.run();
    return optimiser.step(updates, weight);
  }

  @Override
  public void finalise() {
    optimiser.finalise();
  }

  @Override
  public void reset() {
    optimiser.reset();
  }

  @Override
  public StochasticGradientOptimiser copy() {
    return new StoppableOptimiser(optimiser.copy(), stop);
  }

  @Override
  public ConfiguredObjectProvenance getProvenance() {
    return optimiser.getProvenance();
  }

  @Override
  public String toString() {
    return optimiser.toString();
  }
}
