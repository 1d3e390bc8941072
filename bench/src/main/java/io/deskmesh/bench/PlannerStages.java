package io.deskmesh.bench;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.plan.PlanAction;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the stages {@link GridPlanner#plan} wires together one at a time, so each can be timed alone.
 * The stages and their scratch state ({@code Projection}) are package-private in {@code model}; this
 * class reaches them by reflection (the class path has no module boundaries), so a change to their
 * signatures fails the stage benchmarks at run time with a message, never the build. The order
 * below mirrors {@code GridPlanner.plan}; keep it in step. Not thread-safe: one pass at a time.
 */
public final class PlannerStages {
    /** The stages in {@code GridPlanner}'s order. */
    public enum Stage {
        IMAGE_PLACEMENT("ImagePlacementPlanner"),
        VM_ALLOCATION("VmAllocationPlanner"),
        VM_LIFECYCLE("VmLifecyclePlanner");

        private final String className;

        Stage(String className) {
            this.className = className;
        }
    }

    private static final String PACKAGE = GridPlanner.class.getPackageName();
    private static final Constructor<?> PROJECTION;
    private static final MethodHandle[] STAGES = new MethodHandle[Stage.values().length];
    private static final boolean[] TAKES_NOTES = new boolean[Stage.values().length];

    static {
        try {
            Class<?> projection = Class.forName(PACKAGE + ".Projection");
            PROJECTION = projection.getDeclaredConstructor(ClusterImage.class);
            PROJECTION.setAccessible(true);
            for (Stage s : Stage.values()) {
                Method m = stageMethod(Class.forName(PACKAGE + "." + s.className), projection);
                m.setAccessible(true);
                STAGES[s.ordinal()] = MethodHandles.lookup().unreflect(m)
                        .asType(m.getParameterCount() == 3
                                ? MethodType.methodType(void.class, Object.class, List.class, List.class)
                                : MethodType.methodType(void.class, Object.class, List.class));
                TAKES_NOTES[s.ordinal()] = m.getParameterCount() == 3;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(new IllegalStateException("the planner stages changed shape: " + e
                    + "; update bench's PlannerStages to match GridPlanner.plan", e));
        }
    }

    /** One planning pass stopped just before a stage: its projection and the actions so far. */
    public static final class Pass {
        private final Object projection;
        private final List<PlanAction> actions = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        private Pass(Object projection) {
            this.projection = projection;
        }

        public List<PlanAction> actions() {
            return actions;
        }
    }

    private PlannerStages() {
    }

    /** A fresh pass: the projection {@code GridPlanner.plan} starts from (its cost is the first stage). */
    public static Pass project(ClusterImage image) {
        try {
            return new Pass(PROJECTION.newInstance(image));
        } catch (InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pass with every stage before {@code next} already run, ready to time {@code next} alone. */
    public static Pass before(ClusterImage image, Stage next) {
        Pass pass = project(image);
        for (Stage s : Stage.values()) {
            if (s == next) {
                break;
            }
            run(pass, s);
        }
        return pass;
    }

    /** Runs one stage on the pass; returns the number of actions planned so far. */
    public static int run(Pass pass, Stage stage) {
        try {
            MethodHandle h = STAGES[stage.ordinal()];
            if (TAKES_NOTES[stage.ordinal()]) {
                h.invokeExact(pass.projection, pass.actions, pass.notes);
            } else {
                h.invokeExact(pass.projection, pass.actions);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return pass.actions.size();
    }

    private static Method stageMethod(Class<?> planner, Class<?> projection) throws NoSuchMethodException {
        for (Method m : planner.getDeclaredMethods()) {
            Class<?>[] p = m.getParameterTypes();
            if (m.getName().equals("plan") && Modifier.isStatic(m.getModifiers()) && p.length >= 2 && p.length <= 3
                    && p[0] == projection && p[1] == List.class && (p.length == 2 || p[2] == List.class)) {
                return m;
            }
        }
        throw new NoSuchMethodException(planner.getName() + ".plan(Projection, List<PlanAction>[, List<String>])");
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
