/** The Messages bubble on its blue square, at the top of the sign-in cards. Decorative. */
export function AppLogo() {
  return (
    <div className="auth-card__logo" aria-hidden="true">
      <svg viewBox="0 0 64 64" width="64" height="64">
        <rect width="64" height="64" rx="15" fill="var(--accent-fill)" />
        <path
          d="M32 15c-10.5 0-19 6.9-19 15.4 0 4.8 2.7 9.1 7 11.9-.4 2.6-1.7 5-3.6 6.9 3.8-.1 7.3-1.5 10-3.7 1.8.4 3.7.6 5.6.6 10.5 0 19-6.9 19-15.4S42.5 15 32 15z"
          fill="#fff"
        />
      </svg>
    </div>
  );
}
