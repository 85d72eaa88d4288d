import { NavLink } from 'react-router';

/** The project's sections: runs, artifacts, trash, settings. */
export function ProjectNav({ org, project }: { org: string; project: string }) {
  const base = `/${org}/${project}`;
  return (
    <nav className="project-nav" aria-label="Project">
      <NavLink to={base} end>
        Runs
      </NavLink>
      <NavLink to={`${base}/artifacts`}>Artifacts</NavLink>
      <NavLink to={`${base}/trash`}>Trash</NavLink>
      <NavLink to={`${base}/settings`}>Project settings</NavLink>
    </nav>
  );
}
