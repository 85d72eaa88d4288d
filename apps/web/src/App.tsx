import type { ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from 'react-router';
import { SessionProvider, useSession } from './api/session';
import { Layout } from './components/Layout';
import { AcceptInvitePage } from './pages/AcceptInvite';
import { AccountPage } from './pages/Account';
import { ArtifactPage } from './pages/artifacts/ArtifactPage';
import { ArtifactsPage } from './pages/artifacts/ArtifactsPage';
import { VersionPage } from './pages/artifacts/VersionPage';
import { AuthPage } from './pages/Auth';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/AccountEmail';
import { SsoCompletePage } from './pages/SsoComplete';
import { ComparePage } from './pages/Compare';
import { HomePage } from './pages/Home';
import { NotificationsPage } from './pages/Notifications';
import { OrgSettingsPage } from './pages/OrgSettings';
import { ProjectSettingsPage } from './pages/ProjectSettings';
import { ProjectsPage } from './pages/Projects';
import { ReportPage } from './pages/reports/ReportPage';
import { ReportsPage } from './pages/reports/ReportsPage';
import { EmbeddedPanelPage, SharedReportPage } from './pages/reports/SharedReportPage';
import { RunPage } from './pages/Run';
import { RunsPage } from './pages/Runs';
import { TrashPage } from './pages/trash/TrashPage';

function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

const router = createBrowserRouter([
  { path: '/login', element: <AuthPage mode="login" /> },
  { path: '/signup', element: <AuthPage mode="signup" /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password', element: <ResetPasswordPage /> },
  { path: '/verify-email', element: <VerifyEmailPage /> },
  // Share links: no session, the token in the URL is the only credential.
  { path: '/shared/reports/:token', element: <SharedReportPage /> },
  { path: '/shared/reports/:token/embed/:block', element: <EmbeddedPanelPage /> },
  { path: '/sso/complete', element: <SsoCompletePage /> },
  {
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    children: [
      { path: '/', element: <HomePage /> },
      { path: '/account', element: <AccountPage /> },
      { path: '/notifications', element: <NotificationsPage /> },
      { path: '/invite/:token', element: <AcceptInvitePage /> },
      { path: '/:org', element: <ProjectsPage /> },
      { path: '/:org/settings', element: <OrgSettingsPage /> },
      { path: '/:org/reports', element: <ReportsPage /> },
      { path: '/:org/reports/:report', element: <ReportPage /> },
      { path: '/:org/:project', element: <RunsPage /> },
      { path: '/:org/:project/settings', element: <ProjectSettingsPage /> },
      { path: '/:org/:project/compare', element: <ComparePage /> },
      { path: '/:org/:project/runs/:run', element: <RunPage /> },
      { path: '/:org/:project/artifacts', element: <ArtifactsPage /> },
      { path: '/:org/:project/trash', element: <TrashPage /> },
      { path: '/:org/:project/artifacts/:name', element: <ArtifactPage /> },
      { path: '/:org/:project/artifacts/:name/:version', element: <VersionPage /> },
    ],
  },
]);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
