// EPUBCheck in one JVM for a whole test session: its schemas are compiled once instead of once per EPUB (a fresh
// `java -jar epubcheck.jar` costs about 4 s of wall time and 7 s of CPU on two cores; a check in a warm JVM about
// 0.3 s). Run as `java -cp epubcheck.jar EpubCheckServer.java`; each line read is one tab-separated command line
// (the EPUB's path last, as on the command line); for each, it writes "@@epubcheck <exit code> <bytes>\n" and then
// exactly what EPUBCheck printed to standard output and standard error, UTF-8.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream captured = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            int code;
            System.setOut(captured);
            System.setErr(captured);
            try {
                code = new EpubChecker().run(line.split("\t"));
            } catch (Throwable t) {
                t.printStackTrace(captured);
                code = 99;
            } finally {
                captured.flush();
                System.setOut(out);
                System.setErr(err);
            }
            byte[] text = buffer.toByteArray();
            out.print("@@epubcheck " + code + " " + text.length + "\n");
            out.write(text);
            out.flush();
        }
    }
}
