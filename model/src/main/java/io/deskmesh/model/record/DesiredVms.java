package io.deskmesh.model.record;

/**
 * How many VMs a template should have: a fixed number set by an admin, or {@code auto}, sized by
 * the pool planner from entitled users and observed demand.
 *
 * @param count the fixed number, ignored when {@code auto}
 * @param auto  whether the planner sizes the pool
 */
public record DesiredVms(int count, boolean auto) {
    public static final DesiredVms AUTO = new DesiredVms(0, true);

    public DesiredVms {
        if (count < 0) {
            throw new IllegalArgumentException("desired VM count must be >= 0, was " + count);
        }
        if (auto && count != 0) {
            throw new IllegalArgumentException("an 'auto' desired VM count carries no number, was " + count);
        }
    }

    public static DesiredVms of(int count) {
        return new DesiredVms(count, false);
    }

    @Override
    public String toString() {
        return auto ? "auto" : Integer.toString(count);
    }
}
