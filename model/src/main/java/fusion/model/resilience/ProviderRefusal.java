package fusion.model.resilience;

import fusion.model.FailureKind;
import java.util.Objects;

/**
 * A provider that refused this run's API key: it answered 401 or 403 (or has no key at all), so
 * every further call to it would be refused too. Holds no key, only where the key is set.
 *
 * @param provider        the provider's name, as in {@code fusion.providers}
 * @param statusCode      the HTTP status it answered, 401 or 403; null when no key was configured, so nothing was sent
 * @param failure         {@link FailureKind#UNAUTHORIZED} or {@link FailureKind#FORBIDDEN}
 * @param keySetting      where its key comes from: the environment variable (e.g. {@code OPENROUTER_API_KEY}) or,
 *                        when none is named, the property {@code fusion.provider.<name>.api-key}
 * @param providerMessage what the provider said, with any key removed; may be empty
 */
public record ProviderRefusal(String provider, Integer statusCode, FailureKind failure, String keySetting, String providerMessage) {
    public ProviderRefusal {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(keySetting, "keySetting");
        providerMessage = providerMessage == null ? "" : providerMessage;
    }

    /** One line for the person running the job: which provider, what it said, and which variable to set. */
    public String describe() {
        String said = providerMessage.isBlank() ? "" : ": " + providerMessage;
        if (statusCode == null) {
            return "provider " + provider + " has no API key" + said + "; set " + keySetting + " and run again";
        }
        return "provider " + provider + " refused its API key (HTTP " + statusCode + " " + failure.wireName() + said + "); set "
                + keySetting + " to a valid key and run again";
    }
}
