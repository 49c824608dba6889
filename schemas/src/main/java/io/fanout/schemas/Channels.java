package io.fanout.schemas;

/**
 * The channel-name rules of the contract, in one place: 1–200 characters of {@code A–Z a–z 0–9 . _ - :}.
 * Names are never rewritten; anything else is refused.
 */
public final class Channels {

    /** The channel used when a publisher or subscriber names none. */
    public static final String DEFAULT = "lebowski";

    public static final int MAX_LENGTH = 200;

    private Channels() {}

    /** Whether {@code name} is a valid channel name. */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    /**
     * Returns {@code name} when it is valid.
     *
     * @throws InvalidChannelException with a message a person can act on
     */
    public static String requireValid(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new InvalidChannelException(problem);
        }
        return name;
    }

    /** A sentence saying what is wrong with {@code name}, or {@code null} when it is valid. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "channel must not be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "channel is " + name.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAllowed(c)) {
                return "channel contains " + describe(c) + " at position " + i + "; allowed are A-Z a-z 0-9 . _ - :";
            }
        }
        return null;
    }

    private static boolean isAllowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-'
                || c == ':';
    }

    private static String describe(char c) {
        if (c >= 0x21 && c < 0x7f) {
            return "'" + c + "'";
        }
        return String.format("U+%04X", (int) c);
    }
}
