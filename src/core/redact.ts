const credentialsInUrl = /([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]*):([^@\s]*)@/gi;
const passwordPairs = /\b(password|sentinelPassword|pwd)=('[^']*'|[^\s&;]+)/gi;

/**
 * Masks passwords inside free text, such as a driver's error message that quotes a URL or a libpq
 * `password=` pair. For a whole connection string use `maskConnectionString`, which parses it.
 */
export function maskSecretsInText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text.replace(credentialsInUrl, '$1$2:****@').replace(passwordPairs, '$1=****');
  for (const secret of knownSecrets) if (secret.length >= 6) out = out.split(secret).join('****');
  return out;
}
