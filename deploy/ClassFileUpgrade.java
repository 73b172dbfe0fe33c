import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Copies a jar with every class older than Java 17 rewritten to the Java 17 class-file version, with stack
 * map frames computed (JDK 24+ class-file API; run with a JDK 25: {@code java deploy/ClassFileUpgrade.java IN OUT}).
 *
 * <p>For the CLI's AOT cache: a Leyden cache refuses classes older than Java 6's format, which need the old
 * verifier ("Old class has been linked" in {@code -Xlog:aot}), so picocli's ~175 classes (Java 5 bytecode) were
 * read, verified and interpreted on every client command. {@code bench/aot-train.sh} and
 * {@code deploy/Dockerfile.jvm} write the rewritten picocli to {@code lib/cli/}, where {@code deploy/sluice-jvm.sh}
 * takes it instead of the original. The bytecode itself is unchanged.
 */
public class ClassFileUpgrade {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java ClassFileUpgrade.java IN.jar OUT.jar");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int target = ClassFile.JAVA_17_VERSION;
        int upgraded = 0;
        try (URLClassLoader jarClasses = new URLClassLoader(new URL[] {in.toUri().toURL()}, null);
                JarFile jar = new JarFile(in.toFile());
                JarOutputStream copy = new JarOutputStream(Files.newOutputStream(out))) {
            // frames need the common super class of two types: the JDK's classes, else the jar's own
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(jarClasses))));
            ClassTransform toTarget = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                    .andThen((builder, element) -> {
                        if (element instanceof ClassFileVersion) {
                            builder.withVersion(target, 0);
                        } else {
                            builder.with(element);
                        }
                    });
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements();) {
                JarEntry entry = entries.nextElement();
                byte[] bytes = jar.getInputStream(entry).readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                    ClassModel model = classFile.parse(bytes);
                    if (model.majorVersion() < target) {
                        bytes = classFile.transformClass(model, toTarget);
                        upgraded++;
                    }
                }
                JarEntry written = new JarEntry(entry.getName());
                written.setTime(entry.getTime());
                copy.putNextEntry(written);
                copy.write(bytes);
                copy.closeEntry();
            }
        }
        System.out.println(in.getFileName() + ": " + upgraded + " classes rewritten to class-file version " + target);
    }
}
