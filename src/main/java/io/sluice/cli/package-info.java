/**
 * The operator CLI (picocli), run from the same binary as the server. Commands here never boot Quarkus
 * and reach a running server only over HTTP; local utilities (key and token minting) need no server.
 *
 * <p>Tables ({@code ResultPrinter} for {@code sluice sql}, {@code Output} for admin answers) are
 * hand-written rather than picocli's {@code CommandLine.Help.TextTable}, which is built for help text:
 * it parses {@code @|style text|@} markup in every cell even with ANSI off, so a stored value or a log
 * message containing {@code @|} would be shown altered; it wraps a value longer than its fixed column
 * width instead of widening the column; it cannot right-align a column (the SQL shell right-aligns
 * numbers, as psql does); and it pads every line to the full table width.
 */
package io.sluice.cli;
