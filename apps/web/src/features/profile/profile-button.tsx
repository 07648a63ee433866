import { useCallback, useState } from 'react';
import type { ReactNode } from 'react';
import { useAuth } from '../../auth/auth-context';
import { Avatar } from '../../components/ui/avatar';
import { ProfileDialog } from './profile-dialog';
import './profile.css';

/**
 * The foot of the sidebar: who is signed in, and "Profile", which opens the profile screen
 * (display name, password, other devices); `children` are further buttons before it.
 */
export function ProfileButton({ children }: { children?: ReactNode }) {
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  if (!user) return null;
  return (
    <section className="profile-bar" aria-label="Account">
      <Avatar name={user.display_name} size="small" />
      <span className="profile-bar__text">
        <span className="profile-bar__name">{user.display_name}</span>
        <span className="profile-bar__email">{user.email}</span>
      </span>
      {/* Other account screens ("Agents") sit before "Profile". */}
      {children}
      <button type="button" className="text-button profile-bar__open" onClick={() => setOpen(true)}>
        Profile
      </button>
      {open ? <ProfileDialog onClose={close} /> : null}
    </section>
  );
}
